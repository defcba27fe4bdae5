// The SwiftUI app target's entry: the lessons list from the core's catalogue.
// NOTE: a scaffold; add it to an Xcode app target that depends on the
// Stepwise package. Not compiled on the Linux development machine.
import SwiftUI
import Stepwise
import StepwiseFFI

@main
struct StepwiseApp: App {
    var body: some Scene {
        WindowGroup {
            if let catalogue = try? SkillCatalogue.builtin() {
                LessonsView(model: LessonsViewModel(catalogue: catalogue))
            } else {
                Text("The built-in skills failed to load.")
            }
        }
    }
}

struct LessonsView: View {
    @ObservedObject var model: LessonsViewModel

    var body: some View {
        List {
            ForEach(model.strands, id: \.0) { strand in
                Section(strand.0) {
                    ForEach(strand.1, id: \.id) { skill in Text(skill.title) }
                }
            }
        }
    }
}
