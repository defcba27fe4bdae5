// The Android app: Compose screens over the view models in :core-jvm, Media3
// for lesson videos. build-rust.sh puts the Rust library for each ABI under
// src/main/jniLibs and the generated bindings in core-jvm.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "app.stepwise"
    compileSdk = 35

    defaultConfig {
        applicationId = "app.stepwise"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    implementation(project(":core-jvm"))
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation(platform("androidx.compose:compose-bom:2025.01.00"))
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("androidx.media3:media3-exoplayer:1.5.1")
    implementation("androidx.media3:media3-ui:1.5.1")
}

// Build the Rust library and bindings before compiling Kotlin.
val buildRust by tasks.registering(Exec::class) {
    commandLine("../build-rust.sh")
}
tasks.named("preBuild") { dependsOn(buildRust) }
