// The public Engine: one thread running one io_context with the Core on it;
// a snapshot of the Status behind a mutex for other threads (the only lock,
// at the API's edge); events handed to the client's handler.
#include <mulenet/engine.hpp>

#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/engine_core.hpp"

namespace mulenet {

namespace asio = boost::asio;

struct Engine::Impl {
  EngineOptions options;
  std::function<void(const Event&)> handler;

  mutable std::mutex mutex;  // guards snapshot and delivering
  Status snapshot;
  // Cleared by stop(): events posted to the client's loop before stop()
  // returned but run after it are dropped, so none arrives after stop().
  std::shared_ptr<std::atomic<bool>> delivering = std::make_shared<std::atomic<bool>>(true);

  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::unique_ptr<engine::Core> core;
  bool started = false;
  bool stopped = false;
  std::optional<std::uint16_t> status_port;

  void stop(std::chrono::milliseconds limit, portmap::KeepOnStop keep);
  void deliver(const Event& event, const Status& status)
  {
    {
      std::lock_guard lock(mutex);
      snapshot = status;
    }
    if (!handler) return;
    if (!options.post_event) {
      call_handler(handler, event);
      return;
    }
    options.post_event([h = handler, event, alive = delivering] {
      if (alive->load()) call_handler(h, event);
    });
  }

  // A handler that throws must not take the engine down.
  static void call_handler(const std::function<void(const Event&)>& h, const Event& event)
  {
    try {
      h(event);
    } catch (...) {
    }
  }
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>())
{
  impl_->options = std::move(options);
}

Engine::~Engine()
{
  try {
    stop();
  } catch (...) {
  }
}

void Engine::on_event(std::function<void(const Event&)> handler)
{
  if (impl_->started) throw EngineError("on_event() must be called before start()");
  impl_->handler = std::move(handler);
}

void Engine::start()
{
  Impl& d = *impl_;
  if (d.started) throw EngineError("the Engine was already started (an Engine starts once)");
  engine::ConfigProblem problem;
  auto config = engine::load_config(d.options.config_path, problem);
  if (!config) throw EngineError(engine::describe(problem));
  d.started = true;
  d.core = std::make_unique<engine::Core>(d.io.get_executor(), d.options, std::move(*config),
                                          [&d](const Event& e, const Status& s) { d.deliver(e, s); });
  d.core->on_quiet_change([&d](const Status& s) {
    std::lock_guard lock(d.mutex);
    d.snapshot = s;
  });
  {
    std::lock_guard lock(d.mutex);
    d.snapshot = d.core->status();
  }
  std::string page_error;
  if (!d.core->open_status_page(page_error) || !d.core->open_ec_server(page_error)) {
    d.core.reset();
    d.started = false;
    throw EngineError(page_error);
  }
  d.status_port = d.core->status_page_port();
  d.work.emplace(d.io.get_executor());
  asio::co_spawn(d.io, d.core->run(), asio::detached);
  d.thread = std::thread([&d] {
    // Bounded by the work guard: run() returns once stop() released it and
    // the last operation finished.
    d.io.run();
  });
}

Status Engine::status() const
{
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot;
}

bool Engine::running() const { return impl_->started && !impl_->stopped; }

void Engine::stop(std::chrono::milliseconds limit) { impl_->stop(limit, portmap::KeepOnStop::nothing); }

void Engine::stop_keeping_mappings(std::chrono::milliseconds limit)
{
  impl_->stop(limit, portmap::KeepOnStop::for_handover);
}

void Engine::Impl::stop(std::chrono::milliseconds limit, portmap::KeepOnStop keep)
{
  Impl& d = *this;
  if (!d.started || d.stopped) return;
  if (std::this_thread::get_id() == d.thread.get_id())
    throw EngineError("stop() was called from an event handler on the engine's thread: call it from another thread");
  d.stopped = true;
  std::promise<void> done;
  auto finished = done.get_future();
  asio::co_spawn(d.io, d.core->stop(keep), [&done](std::exception_ptr) { done.set_value(); });
  const bool in_time = finished.wait_for(limit) == std::future_status::ready;
  // Not in time: the router stopped answering. What is left stays in the
  // journal, and the next start (of any mulenet) removes it.
  if (!in_time) d.io.stop();
  d.work.reset();
  d.thread.join();
  if (!in_time) {
    EngineStopped late;
    late.error = "the router did not answer within " + std::to_string(limit.count()) +
                 " ms; mappings not yet removed stay in the journal, and the next start removes them";
    Status s;
    {
      std::lock_guard lock(mutex);
      s = snapshot;
    }
    d.deliver(late, s);  // the thread is gone: delivered here, still the last event
  }
  d.delivering->store(false);
  d.core.reset();
}

void Engine::check_kad_now()
{
  Impl& d = *impl_;
  if (!d.started || d.stopped) throw EngineError("check_kad_now() needs a running Engine (start() first)");
  asio::co_spawn(d.io, d.core->check_kad(), asio::detached);
}

std::optional<std::uint16_t> Engine::status_page_port() const { return impl_->status_port; }

const char* version() { return MULENET_VERSION; }

}  // namespace mulenet
