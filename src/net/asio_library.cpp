// Asio's and Beast's own functions, compiled once, here. The library is built
// with BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION,
// so every other file only declares them instead of compiling them again:
// the build from scratch is much shorter (bench/results/build.md). The fuzz
// build, which does not define them, stays header-only and skips this file.
#if defined(BOOST_ASIO_SEPARATE_COMPILATION)
#include <boost/asio/impl/src.hpp>
#endif
#if defined(BOOST_BEAST_SEPARATE_COMPILATION)
#include <boost/beast/src.hpp>
#endif
