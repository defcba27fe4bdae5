// The teacher console's batch marking, matching android/core-jvm's
// TeacherViewModel. NOTE: not compiled on the Linux development machine.
import Foundation
import StepwiseFFI

@MainActor
public final class TeacherViewModel: ObservableObject {
    @Published public private(set) var done: UInt64 = 0
    @Published public private(set) var total: UInt64 = 0
    @Published public private(set) var running = false
    @Published public private(set) var reports: [Report] = []
    @Published public private(set) var error: String?
    private let checker: MathsChecker
    private var cancelToken: CancelToken?

    public init(checker: MathsChecker) { self.checker = checker }

    private final class Listener: ProgressListener, @unchecked Sendable {
        let update: (UInt64, UInt64) -> Void
        init(update: @escaping (UInt64, UInt64) -> Void) { self.update = update }
        func onProgress(done: UInt64, total: UInt64) throws { update(done, total) }
    }

    public func mark(_ cases: [CheckCase]) async {
        let token = CancelToken()
        cancelToken = token
        running = true
        total = UInt64(cases.count)
        let listener = Listener { done, total in
            Task { @MainActor in self.done = done; self.total = total }
        }
        do {
            reports = try await checker.checkBatch(cases: cases, listener: listener, cancel: token)
        } catch {
            self.error = "\(error)"
        }
        running = false
        cancelToken = nil
    }

    public func cancel() { cancelToken?.cancel() }
}
