#pragma once
// MULENET_API marks what libmulenet.so exports: the public API and nothing
// else (the library is built with hidden visibility).
#if defined(MULENET_BUILDING_LIBRARY)
#define MULENET_API __attribute__((visibility("default")))
#else
#define MULENET_API
#endif
