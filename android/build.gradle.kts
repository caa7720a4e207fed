// The fieldsales Android library: generated Kotlin bindings + the small wrapper + jniLibs.
//
// Before building, run ./build-jni.sh (cargo ndk): it writes src/main/jniLibs/<abi>/ and the
// generated Kotlin into build/generated/uniffi/. Neither is committed.
// This module cannot be built on the project's Linux machines (no Android SDK there); the
// wrapper in src/main/kotlin is compiled and tested on the host JVM by `cargo xtask test`.
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
}

android {
    namespace = "app.fieldsales.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        // src/main/kotlin: pure Kotlin, host-tested. src/android/kotlin: needs Android classes.
        kotlin.srcDirs("src/main/kotlin", "src/android/kotlin", "build/generated/uniffi")
        jniLibs.srcDir("src/main/jniLibs")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions {
        jvmTarget = "17"
    }
}

dependencies {
    // The generated bindings call into the native library through JNA (the AAR flavour ships
    // libjnidispatch.so for every ABI).
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
    implementation("androidx.work:work-runtime-ktx:2.10.0")
}
