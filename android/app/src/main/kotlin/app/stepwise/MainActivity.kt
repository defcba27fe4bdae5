// The app's entry: shows the lessons list from the core's catalogue.
// NOTE: the Compose screens are a scaffold and have not been built here,
// because this machine has no Android SDK.
package app.stepwise

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Text
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import app.stepwise.core.LessonsViewModel
import app.stepwise.ffi.SkillCatalogue

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val lessons = LessonsViewModel(SkillCatalogue.builtin())
        setContent {
            val state by lessons.state.collectAsState()
            LazyColumn {
                items(state.strands.values.flatten()) { skill -> Text(skill.title) }
            }
        }
    }
}
