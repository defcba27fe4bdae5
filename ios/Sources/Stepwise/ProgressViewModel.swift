// The profile picker and progress screen, matching android/core-jvm's
// ProgressViewModel. NOTE: not compiled on the Linux development machine.
import Foundation
import StepwiseFFI

@MainActor
public final class ProgressViewModel: ObservableObject {
    @Published public private(set) var profiles: [ProfileRecord] = []
    @Published public private(set) var unlocked: String?
    @Published public private(set) var skills: [SkillProgressRecord] = []
    @Published public private(set) var next: [NextItemRecord] = []
    @Published public private(set) var assignments: [AssignmentRecord] = []
    @Published public private(set) var pendingEvents: UInt64 = 0
    @Published public private(set) var error: String?
    private let store: StepwiseStore
    private let suggestions: UInt32

    public init(store: StepwiseStore, suggestions: UInt32 = 5) {
        self.store = store
        self.suggestions = suggestions
        refresh()
    }

    public func refresh() {
        do {
            profiles = try store.profiles()
            unlocked = store.unlockedProfile()
            if unlocked == nil {
                skills = []; next = []; assignments = []; pendingEvents = 0
            } else {
                skills = try store.progress()
                next = try store.whatNext(limit: suggestions)
                assignments = try store.assignments()
                pendingEvents = try store.pendingEvents()
            }
            error = nil
        } catch {
            self.error = "\(error)"
        }
    }

    public func unlock(name: String, pin: String?) {
        do {
            _ = try store.unlock(name: name, pin: pin)
            refresh()
        } catch {
            self.error = "\(error)"
        }
    }

    public func addProfile(name: String, pin: String?) {
        do {
            _ = try store.addProfile(name: name, pin: pin)
            refresh()
        } catch {
            self.error = "\(error)"
        }
    }

    public func lock() {
        store.lock()
        refresh()
    }
}
