// The parent screen, matching android/core-jvm's ParentViewModel.
// NOTE: not compiled on the Linux development machine.
import Foundation
import StepwiseFFI

@MainActor
public final class ParentViewModel: ObservableObject {
    @Published public private(set) var children: [ChildRecord] = []
    @Published public private(set) var report: ParentReportRecord?
    @Published public private(set) var loading = false
    @Published public private(set) var error: String?
    private let view: ParentView

    public init(view: ParentView) { self.view = view }

    private func load(_ work: () async throws -> Void) async {
        loading = true
        error = nil
        do {
            try await work()
        } catch {
            self.error = "\(error)"
        }
        loading = false
    }

    public func loadChildren() async {
        await load { children = try await view.children() }
    }

    /// Redeems the school's link code, then lists the children again.
    public func link(code: String) async {
        await load {
            _ = try await view.linkChild(code: code)
            children = try await view.children()
        }
    }

    public func select(studentId: String) async {
        await load { report = try await view.report(studentId: studentId) }
    }
}
