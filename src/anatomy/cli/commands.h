#pragma once

#include <CLI/CLI.hpp>

namespace anatomy::cli {

// Each command family registers its subcommands on the app; main.cc calls every Add* once.
// A command's callback reports failure by throwing CLI::RuntimeError(exit_code) after printing
// a one-line reason to stderr (the only exception used, and only inside the cli layer).
void AddVersionCommand(CLI::App& app);
void AddBuildCommand(CLI::App& app);
void AddInspectCommand(CLI::App& app);
void AddSchemaCommand(CLI::App& app);
/// `anatomy delta read|snapshot|history|checkpoint|vacuum`.
void AddDeltaCommands(CLI::App& app);

}  // namespace anatomy::cli
