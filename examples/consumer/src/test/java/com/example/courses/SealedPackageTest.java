package com.example.courses;

import dev.enrollment.User;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The installed enrollment-core jar seals its packages: a consumer's class in dev.enrollment does not load. */
class SealedPackageTest {
    @Test
    void aClassPutInTheLibrarysPackageFailsToLoad() {
        assertThat(User.unsaved("first", "").isSaved()).isFalse();   // the library's package is defined by its jar
        Throwable thrown = catchThrowable(() -> Class.forName("dev.enrollment.Intruder"));
        assertThat(thrown).isInstanceOf(SecurityException.class).hasMessageContaining("sealing violation");
    }
}
