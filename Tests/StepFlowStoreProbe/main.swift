import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract

// A process the store tests start many times (see StepFlowStoreContract's
// scenarios). Modes:
//   serve  --store PATH --name NAME          race deciders (line protocol on stdin/stdout)
//   crash  --store PATH --point P --operation JSON   SIGKILL itself at P inside the operation
//   churn  --store PATH                      write runs forever, "tick N" after each transaction
//   workflow --store PATH --log FILE [--mode wait|handler|pause] [--runs N] [--lease-ms MS] [--crash P[#N]]
//          recorded runs of LoggedRefund, one after another; lines: started, requested, finished
//   worker --store PATH --log FILE [--once] [--lease-ms MS] [--crash P[#N]]
//          a Worker for LoggedRefund: one pass, or until stdin closes
//   stress [--rounds N] [--processes N] [--crash-rounds N] [--churn-rounds N] [--owned-rounds N]
//          [--run-crash-rounds N]
//          the scenarios many times on a fresh store, with counts (Scripts/store-stress)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func openStore(crashAt point: String? = nil, trigger: CrashTrigger? = nil) -> SQLiteRunStore {
    guard let path = option("store") else { fail("missing --store PATH") }
    var options = SQLiteStoreOptions(changePollInterval: .milliseconds(2))
    if let point {
        options.crashPoint = { name in
            if name == point { kill(getpid(), SIGKILL) }
        }
    }
    if let trigger { options.crashPoint = trigger.callback }
    do {
        return try SQLiteRunStore(path: path, options: options)
    } catch {
        fail("\(error)")
    }
}

switch arguments.first {
case "serve":
    await ProbeWorker.serve(openStore(), name: option("name") ?? "probe-\(getpid())")
case "crash":
    guard let point = option("point"), let line = option("operation"), let operation = try? ProbeMessage(line: line)
    else { fail("crash needs --point and --operation") }
    do {
        try await ProbeWorker.perform(operation, on: openStore(crashAt: point))
        fail("survived: the operation never reached \(point)")
    } catch {
        fail("\(error)")
    }
case "churn":
    do {
        try await ProbeWorker.churn(
            openStore(), name: "churn-\(getpid())", workflow: option("workflow") ?? "churn")
    } catch {
        fail("\(error)")
    }
case "workflow", "worker":
    guard let logPath = option("log") else { fail("\(arguments[0]) needs --log FILE") }
    let trigger = option("crash").map(CrashTrigger.init)
    let store = openStore(trigger: trigger)
    let lease = Duration.milliseconds(option("lease-ms").flatMap { Int($0) } ?? 30_000)
    if arguments[0] == "workflow" {
        await RecordedProbe.runWorkflows(
            store, log: StepLog(path: logPath), mode: option("mode") ?? "wait",
            runs: option("runs").flatMap { Int($0) } ?? 1, approver: option("approver") ?? "probe-approver",
            lease: lease, crash: trigger)
    } else {
        await RecordedProbe.serveWorker(
            store, log: StepLog(path: logPath), once: arguments.contains("--once"), lease: lease, crash: trigger)
    }
case "stress":
    await Stress.run(
        rounds: option("rounds").flatMap { Int($0) } ?? 1_000,
        processes: option("processes").flatMap { Int($0) } ?? 8,
        crashRounds: option("crash-rounds").flatMap { Int($0) } ?? 1_000,
        churnRounds: option("churn-rounds").flatMap { Int($0) } ?? 1_000,
        ownedRounds: option("owned-rounds").flatMap { Int($0) } ?? 1_000,
        runCrashRounds: option("run-crash-rounds").flatMap { Int($0) } ?? 1_000)
default:
    fail("usage: stepflow-store-probe serve|crash|churn|workflow|worker|stress …")
}
