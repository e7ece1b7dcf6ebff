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
        fail(error.description, code: 2)
    } catch let error as GraphError {
        fail(error.description, code: 2)
    } catch let error as RuntimeError {
        fail(error.description, code: 2)
    } catch let error as NPY.Failure {
        fail(error.description, code: 2)
    } catch let error as CLIError {
        fail(error.description, code: 2)
    } catch let error as BundleError {
        fail(error.description, code: error.isBadInput ? 2 : 1)
    } catch {
        fail("\(error)", code: 1)
    }
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("ferry: error: \(message)\n".utf8))
    Foundation.exit(code)
}
