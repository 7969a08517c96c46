#include <arrow/compute/initialize.h>
#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include "anatomy/cli/commands.h"

#ifdef ANATOMY_JEMALLOC
// The CLI's allocator is jemalloc (linked in; read by jemalloc before its first allocation).
// A build's threads (parser, views, two writers) allocate and free gigabytes of rows and Arrow
// buffers: glibc's per-thread arenas kept about twice the live memory as free chunks (a peak
// RSS of 1.9 GB for 0.9 GB live), jemalloc about a third more, at the same speed. Freed pages
// go back to the kernel a second after they were last used, from a background thread; sooner
// would pay for page zeroing again (bench/README.md). MALLOC_CONF overrides.
extern "C" {
// NOLINTNEXTLINE: the name and type jemalloc looks for.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif

namespace {

// Arrow allocates through malloc (its system pool), so that its buffers share the one heap;
// Arrow's bundled allocators would each keep their own free pages. Without jemalloc (the
// sanitizer build), glibc's heap is told to keep what it frees (no trim, a 256 MiB pad, only
// blocks over 32 MiB mapped on their own): handing pages back made a third of a build page
// zeroing. The user's own ARROW_DEFAULT_MEMORY_POOL choice wins; this runs before Arrow's
// first allocation.
void ChooseAllocator() {
  if (std::getenv("ARROW_DEFAULT_MEMORY_POOL") != nullptr) return;
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", 1);
#ifndef ANATOMY_JEMALLOC
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT32_MAX);
  mallopt(M_TOP_PAD, 256 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  ChooseAllocator();
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "anatomy: cannot initialise Arrow compute: " << st.ToString() << "\n";
    return 1;
  }
  CLI::App app{
      "anatomy: a Code Property Graph of a Python repository, stored as Delta Lake tables"};
  app.require_subcommand(1);
  anatomy::cli::AddVersionCommand(app);
  anatomy::cli::AddBuildCommand(app);
  anatomy::cli::AddInspectCommand(app);
  anatomy::cli::AddSchemaCommand(app);
  anatomy::cli::AddDeltaCommands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
