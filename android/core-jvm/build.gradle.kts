// The pure-Kotlin layer: generated bindings and view models. tests/kotlin.sh
// compiles and tests the same sources with kotlinc on this machine.
plugins {
    id("org.jetbrains.kotlin.jvm")
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir(layout.buildDirectory.dir("generated/uniffi"))
}

dependencies {
    implementation("net.java.dev.jna:jna:5.13.0")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    testImplementation("junit:junit:4.13.2")
}
