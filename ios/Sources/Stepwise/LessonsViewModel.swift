// The lessons screen, matching android/core-jvm's LessonsViewModel.
// NOTE: not compiled on the Linux development machine; Xcode builds it.
import Foundation
import StepwiseFFI

@MainActor
public final class LessonsViewModel: ObservableObject {
    @Published public private(set) var strands: [(String, [SkillSummary])] = []
    @Published public private(set) var selected: SkillSummary?
    @Published public private(set) var error: String?
    private let catalogue: SkillCatalogue

    public init(catalogue: SkillCatalogue) {
        self.catalogue = catalogue
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
}
