import ArgumentParser
import FerryBundle
import FerryIR
import FerryRuntime
import Foundation
import ONNXFormat
import TensorIO

/// A usage or input problem found by the CLI itself.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, rendering Ferry's errors as one line on stderr: exit 2 for bad input or usage
/// (a model, tensor or flag at fault), exit 1 for anything else.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ONNXError {
        throw failure(error.description, code: 2)
    } catch let error as GraphError {
        throw failure(error.description, code: 2)
    } catch let error as RuntimeError {
        throw failure(error.description, code: 2)
    } catch let error as NPY.Failure {
        throw failure(error.description, code: 2)
    } catch let error as CLIError {
        throw failure(error.description, code: 2)
    } catch let error as BundleError {
        throw failure(error.description, code: error.isBadInput ? 2 : 1)
    } catch {
        throw failure("\(error)", code: 1)
    }
}

/// Writes `message` as Ferry's one-line error and returns the exit code to throw (the command
/// parser exits with it, printing nothing more).
func failure(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("ferry: error: \(message)\n".utf8))
    return ExitCode(code)
}
