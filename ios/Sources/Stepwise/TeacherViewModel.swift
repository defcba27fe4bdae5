// The teacher screens, matching android/core-jvm's TeacherViewModel: batch
// marking, and the console backed by the server with the live view.
// NOTE: not compiled on the Linux development machine.
import Foundation
import StepwiseFFI

@MainActor
public final class TeacherViewModel: ObservableObject {
    @Published public private(set) var done: UInt64 = 0
    @Published public private(set) var total: UInt64 = 0
    @Published public private(set) var running = false
    @Published public private(set) var reports: [Report] = []
    @Published public private(set) var error: String?
    @Published public private(set) var classes: [ClassRecord] = []
    @Published public private(set) var summary: ClassSummaryRecord?
    @Published public private(set) var work: StudentWorkRecord?
    /// Lines received from the watched student, oldest first.
    @Published public private(set) var live: [LiveLineRecord] = []
    @Published public private(set) var watching = false
    @Published public private(set) var missedLines = false
    private let checker: MathsChecker
    private let console: TeacherConsole?
    private var cancelToken: CancelToken?
    private var liveWatch: LiveWatch?

    public init(checker: MathsChecker, console: TeacherConsole? = nil) {
        self.checker = checker
        self.console = console
    }

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

    private func load(_ work: (TeacherConsole) async throws -> Void) async {
        guard let console else { return }
        error = nil
        do {
            try await work(console)
        } catch {
            self.error = "\(error)"
        }
    }

    public func loadClasses() async {
        await load { classes = try await $0.classes() }
    }

    public func openClass(classId: String) async {
        await load { summary = try await $0.classSummary(classId: classId) }
    }

    public func openStudent(studentId: String) async {
        await load {
            work = try await $0.studentWork(studentId: studentId)
            missedLines = false
        }
    }

    /// Comments on a line (counted from 0) of the open student's attempt,
    /// then reloads their working.
    public func comment(attemptId: String, lineIndex: UInt32, text: String) async {
        await load { console in
            try await console.comment(
                studentId: work?.studentId, attemptId: attemptId, lineIndex: lineIndex, text: text)
            if let studentId = work?.studentId {
                work = try await console.studentWork(studentId: studentId)
            }
        }
    }

    public func assign(_ request: AssignmentRequest) async -> AssignmentCreated? {
        var created: AssignmentCreated?
        await load { console in
            created = try await console.assign(request: request)
            summary = try await console.classSummary(classId: request.classId)
        }
        return created
    }

    private final class Live: LiveListener, @unchecked Sendable {
        let handle: (LiveEventRecord) -> Void
        init(handle: @escaping (LiveEventRecord) -> Void) { self.handle = handle }
        func onEvent(event: LiveEventRecord) throws { handle(event) }
    }

    /// Starts receiving a student's lines as they are typed, replacing any earlier watch.
    public func watch(studentId: String) {
        guard let console else { return }
        stopWatching()
        let listener = Live { event in
            Task { @MainActor in
                switch event {
                case .open: self.watching = true; self.live = []
                case .lagged: self.missedLines = true
                case .line(let line): self.live.append(line)
                case .ended(let reason): self.watching = false; self.error = reason
                }
            }
        }
        do {
            liveWatch = try console.watch(studentId: studentId, listener: listener)
        } catch {
            self.error = "\(error)"
        }
    }

    public func stopWatching() {
        liveWatch?.cancel()
        liveWatch = nil
        watching = false
    }
}
