import ArgumentParser

/// The distribution subcommands, in the order `ferry --help` lists them.
enum DistributionCommands {
    static let all: [any ParsableCommand.Type] = []
}
