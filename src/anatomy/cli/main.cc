#include <arrow/compute/initialize.h>
#include <arrow/config.h>

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "anatomy: cannot initialise Arrow compute: " << st.ToString() << "\n";
    return 1;
  }
  CLI::App app{"anatomy: a Code Property Graph of a Python repository, stored as Delta Lake tables"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "Print the anatomy and Arrow versions");
  version->callback([] {
    std::cout << "anatomy " << ANATOMY_VERSION << " (Arrow " << arrow::GetBuildInfo().version_string
              << ")\n";
  });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
