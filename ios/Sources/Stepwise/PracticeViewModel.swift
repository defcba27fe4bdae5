// The practice screen's state, matching android/core-jvm's PracticeViewModel.
// Every decision is made by the Rust core; this class only publishes values.
// NOTE: not compiled on the Linux development machine; Xcode builds it.
import Foundation
import StepwiseFFI

@MainActor
public final class PracticeViewModel: ObservableObject {
    @Published public private(set) var question: QuestionRecord
    @Published public private(set) var lines: [LineReport] = []
    @Published public private(set) var editing: String = "|"
    @Published public private(set) var hint: HintRecord?
    @Published public private(set) var workedExample: QuestionRecord?
    @Published public private(set) var finished = false
    @Published public private(set) var error: String?

    private let session: PracticeSession
    private let keyboard = MathsKeyboard()
    private let onDraft: (Draft) -> Void

    public init(catalogue: SkillCatalogue, skillId: String, seed: UInt64,
                onDraft: @escaping (Draft) -> Void = { _ in }) throws {
        session = try PracticeSession.start(catalogue: catalogue, skillId: skillId, seed: seed)
        question = session.question()
        self.onDraft = onDraft
    }

    public func press(_ key: KeyboardKey) {
        do {
            try keyboard.press(key: key)
            error = nil
        } catch {
            self.error = "\(error)"
        }
        editing = keyboard.textWithCursor()
    }

    public func submit(_ typed: String? = nil) {
        do {
            let outcome = try session.submit(line: typed ?? keyboard.text())
            try keyboard.press(key: .clear)
            lines.append(outcome.line)
            finished = outcome.finished
            hint = nil
            error = nil
            editing = keyboard.textWithCursor()
            onDraft(session.draft())
        } catch {
            self.error = "\(error)"
        }
    }

    public func nextHint() {
        hint = session.nextHint()
        onDraft(session.draft())
    }

    public func showWorkedExample() {
        workedExample = try? session.workedExample()
    }
}
