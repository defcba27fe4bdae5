// The lessons screen, matching android/core-jvm's LessonsViewModel.
// NOTE: not compiled on the Linux development machine; Xcode builds it.
import Foundation
import StepwiseFFI

@MainActor
public final class LessonsViewModel: ObservableObject {
    @Published public private(set) var strands: [(String, [SkillSummary])] = []
    @Published public private(set) var selected: SkillSummary?
    @Published public private(set) var error: String?
    /// Offline status of the lessons asked about, by lesson id.
    @Published public private(set) var availability: [String: LessonAvailability] = [:]
    @Published public private(set) var downloadDone: UInt64 = 0
    @Published public private(set) var downloadTotal: UInt64 = 0
    @Published public private(set) var downloading: String?
    private let catalogue: SkillCatalogue
    private let library: ContentLibrary?
    private var cancelToken: CancelToken?

    public init(catalogue: SkillCatalogue, library: ContentLibrary? = nil) {
        self.catalogue = catalogue
        self.library = library
        var order: [String] = []
        var groups: [String: [SkillSummary]] = [:]
        for skill in catalogue.skills() {
            if groups[skill.strand] == nil { order.append(skill.strand) }
            groups[skill.strand, default: []].append(skill)
        }
        strands = order.map { ($0, groups[$0] ?? []) }
    }

    public func select(_ skillId: String) {
        do {
            selected = try catalogue.skill(id: skillId)
            error = nil
        } catch {
            selected = nil
            self.error = "\(error)"
        }
    }

    public func checkAvailability(lesson: String) {
        guard let library else { return }
        do {
            availability[lesson] = try library.availability(lesson: lesson)
        } catch {
            self.error = "\(error)"
        }
    }

    private final class Listener: ProgressListener, @unchecked Sendable {
        let update: (UInt64, UInt64) -> Void
        init(update: @escaping (UInt64, UInt64) -> Void) { self.update = update }
        func onProgress(done: UInt64, total: UInt64) throws { update(done, total) }
    }

    /// Downloads a lesson's missing files; returns when done, cancelled or failed.
    public func download(lesson: String) async {
        guard let library else { return }
        let token = CancelToken()
        cancelToken = token
        downloading = lesson
        let listener = Listener { done, total in
            Task { @MainActor in self.downloadDone = done; self.downloadTotal = total }
        }
        do {
            try await library.downloadLesson(lesson: lesson, listener: listener, cancel: token)
        } catch {
            self.error = "\(error)"
        }
        downloading = nil
        cancelToken = nil
        checkAvailability(lesson: lesson)
    }

    /// Stops the running download; the bytes received are kept for the next try.
    public func cancelDownload() { cancelToken?.cancel() }
}
