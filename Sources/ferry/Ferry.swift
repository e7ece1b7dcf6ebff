import ArgumentParser

/// The `ferry` command: one binary from a trained model export to on-device bundles.
@main
struct Ferry: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Convert, optimize, verify, bundle and serve on-device ML models.",
        version: version,
        // The registry of subcommands, read top to bottom.
        subcommands: [
            // Model commands
            InspectCommand.self, RunCommand.self, BenchCommand.self,
            // Optimization: passes, pruning, quantization, writers (convert)
            ConvertCommand.self,

            // Drift gating in CI (verify)
            VerifyCommand.self,

            // Distribution commands (bundle, unbundle, keygen, serve, token, publish, pull)
            KeygenCommand.self, BundleCommand.self, UnbundleCommand.self, BundleInspectCommand.self, ServeCommand.self,
            TokenCommand.self, PublishCommand.self, RolloutCommand.self, RollbackCommand.self, AuditCommand.self, PullCommand.self,
        ]
    )
}
