#include <arrow/config.h>

#include <iostream>

#include "anatomy/cli/commands.h"

namespace anatomy::cli {

void AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the anatomy and Arrow versions");
  cmd->callback([] {
    std::cout << "anatomy " << ANATOMY_VERSION << " (Arrow " << arrow::GetBuildInfo().version_string
              << ")\n";
  });
}

}  // namespace anatomy::cli
