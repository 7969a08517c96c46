#include <arrow/compute/initialize.h>
#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include "anatomy/cli/commands.h"

namespace {

// A build allocates and frees gigabytes of Arrow buffers, view after view. Arrow's default
// allocator hands freed pages back to the kernel, which zeroes them again on the next touch:
// a third of a whole build's time went to page zeroing. glibc's heap, told to keep what it
// frees (no trim, a 256 MiB pad, only blocks over 32 MiB mapped on their own), reuses them;
// the standard library builds about a quarter faster (bench/README.md). The user's own
// ARROW_DEFAULT_MEMORY_POOL choice wins; this runs before Arrow's first allocation.
void KeepFreedMemory() {
  if (std::getenv("ARROW_DEFAULT_MEMORY_POOL") != nullptr) return;
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", 1);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT32_MAX);
  mallopt(M_TOP_PAD, 256 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  KeepFreedMemory();
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
