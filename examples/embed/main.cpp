// A P2P client's view of mulenet: start the Engine on an amule.conf, print
// every event and the status JSON after it, until Ctrl-C; then stop, which
// removes the router mappings the Engine made.
//
//   build:  c++ -std=c++20 main.cpp $(pkg-config --cflags --libs mulenet) -o embed
//     or:   cmake -S . -B build -DCMAKE_PREFIX_PATH=/where/mulenet/is && cmake --build build
//   run:    ./embed ~/.aMule/amule.conf
#include <csignal>
#include <cstdio>
#include <exception>

#include <mulenet/engine.hpp>

int main(int argc, char** argv)
{
  mulenet::EngineOptions options;
  if (argc > 1) options.config_path = argv[1];

  // Ctrl-C and SIGTERM are waited for below; blocked first, so that the
  // engine's thread inherits the mask and never takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  mulenet::Engine engine(options);
  // Called on the engine's thread: print and return quickly.
  engine.on_event([&engine](const mulenet::Event& event) {
    std::printf("event: %s\n", mulenet::describe(event).c_str());
    std::printf("status: %s\n", mulenet::to_json(engine.status()).c_str());
    std::fflush(stdout);
  });
  try {
    engine.start();
  } catch (const mulenet::EngineError& e) {
    std::fprintf(stderr, "embed: %s\n", e.what());
    return 3;
  }
  std::printf("mulenet %s started; Ctrl-C stops it\n", mulenet::version());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  engine.stop();  // blocks until our mappings are removed (bounded)
  std::printf("stopped\n");
  return 0;
}
