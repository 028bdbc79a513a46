// A P2P client's view of mulenet: start the Engine on an amule.conf, print
// every event and the status JSON after it, until Ctrl-C; then stop, which
// removes the router mappings the Engine made.
//
//   build:  c++ -std=c++20 main.cpp $(pkg-config --cflags --libs mulenet) -o embed
//     or:   cmake -S . -B build -DCMAKE_PREFIX_PATH=/where/mulenet/is && cmake --build build
//   run:    ./embed ~/.aMule/amule.conf [--check-kad] [--ed2k]
//           (--check-kad: the Engine also runs our Kad node and listener, and
//           asks Kad nodes of nodes.dat whether our ports are open;
//           --ed2k: it keeps a session with a server of server.met, and
//           says whether the ID is High or Low)
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include <mulenet/engine.hpp>

int main(int argc, char** argv)
{
  mulenet::EngineOptions options;
  bool check_kad = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check-kad") check_kad = true;
    else if (arg == "--ed2k") options.ed2k = true;
    else options.config_path = arg;
  }
  options.kad = check_kad;

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
  if (check_kad) engine.check_kad_now();  // the verdicts arrive as an event

  int signal = 0;
  sigwait(&stop_signals, &signal);
  engine.stop();  // blocks until our mappings are removed (bounded)
  std::printf("stopped\n");
  return 0;
}
