#include <arrow/compute/initialize.h>

#include <iostream>

#include "anatomy/cli/commands.h"

int main(int argc, char** argv) {
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "anatomy: cannot initialise Arrow compute: " << st.ToString() << "\n";
    return 1;
  }
  CLI::App app{"anatomy: a Code Property Graph of a Python repository, stored as Delta Lake tables"};
  app.require_subcommand(1);
  anatomy::cli::AddVersionCommand(app);
  anatomy::cli::AddBuildCommand(app);
  anatomy::cli::AddInspectCommand(app);
  anatomy::cli::AddSchemaCommand(app);
  anatomy::cli::AddDeltaCommands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
