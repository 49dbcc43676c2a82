package dev.enrollment;

import dev.enrollment.internal.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value types' rules, without a database. */
class ValuesTest {

    @Test
    void aCallerCannotMakeASavedUser() {
        assertThat(User.class.getConstructors()).isEmpty();
        List<String> factories = Arrays.stream(User.class.getMethods())
                .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getReturnType() == User.class)
                .map(Method::getName).collect(Collectors.toList());
        assertThat(factories).containsExactly("unsaved");
        assertThat(Enrollment.class.getConstructors()).isEmpty();
        assertThat(User.unsaved("alice", "").id()).isEmpty();
        assertThat(User.unsaved("alice", "").isSaved()).isFalse();
    }

    @Test
    void theValueFactoryCannotBeReplaced() {
        Values.Factory forged = new Values.Factory() {
            @Override
            public User savedUser(long id, String username, String email, Object origin) {
                return null;
            }

            @Override
            public Object origin(User user) {
                return null;
            }

            @Override
            public Enrollment enrollment(long id, User user, CourseKey course, CourseMode mode, boolean active,
                                         Instant created) {
                return null;
            }

            @Override
            public EnrollmentEvent event(EnrollmentEvent.Type type, Enrollment before, Enrollment after) {
                return null;
            }

            @Override
            public Allowance allowance(long id, String email, CourseKey course, boolean autoEnroll, Instant created,
                                       User user) {
                return null;
            }
        };
        assertThatThrownBy(() -> Values.install(forged)).isInstanceOf(IllegalStateException.class);
        assertThat(Values.factory().savedUser(7, "bob", "", DATABASE).id()).hasValue(7);
    }

    @Test
    void codeOutsideTheLibraryCannotReachTheValueFactory() {
        assertThatThrownBy(dev.enrollment.forgery.Forger::forge).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not API");
    }

    @Test
    void usernameRules() {
        assertThat(User.unsaved("a", "").username()).isEqualTo("a");
        assertThat(User.unsaved("x".repeat(150), "").username()).hasSize(150);
        assertThat(User.unsaved("ok.user+tag-1_@site", "").username()).isEqualTo("ok.user+tag-1_@site");
        assertThat(User.unsaved("Zoë_Łukasz_日本", "").username()).isEqualTo("Zoë_Łukasz_日本");
        // NFKC, as Django normalizes: the fullwidth letters become ASCII
        assertThat(User.unsaved("ａｌｉｃｅ", "").username()).isEqualTo("alice");

        assertInvalid(() -> User.unsaved(null, ""), "username", "must not be null");
        assertInvalid(() -> User.unsaved("", ""), "username", "must not be empty");
        assertInvalid(() -> User.unsaved("x".repeat(151), ""), "username", "at most 150 characters (was 151)");
        assertInvalid(() -> User.unsaved("has space", ""), "username", "a space");
        assertInvalid(() -> User.unsaved("quo'te", ""), "username", "a quote");
        assertInvalid(() -> User.unsaved("'; DROP TABLE auth_user; --", ""), "username", "letters, digits");
        assertInvalid(() -> User.unsaved("nul\0byte", ""), "username", "U+0000");
        assertInvalid(() -> User.unsaved("tab\tbed", ""), "username", "U+0009");
        assertInvalid(() -> User.unsaved("back\\slash", ""), "username", "'\\'");
    }

    @Test
    void theMessageNeverRepeatsTheValue() {
        String hostile = "<script>alert(1)</script>";
        assertThatThrownBy(() -> User.unsaved(hostile, "")).hasMessageNotContaining("script");
        assertThatThrownBy(() -> CourseKey.parse("course-v1:" + hostile + "+a+b")).hasMessageNotContaining("script");
    }

    @Test
    void emailRules() {
        assertThat(User.unsaved("a", "").email()).isEmpty();
        assertThat(User.unsaved("a", "a@b").email()).isEqualTo("a@b");
        String longest = "a".repeat(250) + "@b.c";
        assertThat(longest).hasSize(254);
        assertThat(User.unsaved("a", longest).email()).isEqualTo(longest);

        assertInvalid(() -> User.unsaved("a", null), "email", "must not be null");
        assertInvalid(() -> User.unsaved("a", "x" + longest), "email", "at most 254 characters (was 255)");
        assertInvalid(() -> User.unsaved("a", "no-at.example.com"), "email", "exactly one @");
        assertInvalid(() -> User.unsaved("a", "two@@example.com"), "email", "exactly one @");
        assertInvalid(() -> User.unsaved("a", "sp ace@example.com"), "email", "whitespace");
        assertInvalid(() -> User.unsaved("a", "nl@exa\nmple.com"), "email", "control");
    }

    private static final Object DATABASE = new Object();

    @Test
    void userValueEquality() {
        assertThat(User.unsaved("a", "x@y")).isEqualTo(User.unsaved("a", "x@y"))
                .hasSameHashCodeAs(User.unsaved("a", "x@y"))
                .isNotEqualTo(User.unsaved("a", "z@y"))
                .isNotEqualTo(Values.factory().savedUser(1, "a", "x@y", DATABASE));
        assertThat(Values.factory().savedUser(1, "a", "x@y", DATABASE))
                .isEqualTo(Values.factory().savedUser(1, "a", "x@y", DATABASE))
                .as("the same id in another database is another user")
                .isNotEqualTo(Values.factory().savedUser(1, "a", "x@y", new Object()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"course-v1:edX+DemoX+2026", "course-v1:a+b+c", "course-v1:Org.1+Course_2~x+Run:3-a",
            "MITx/6.002x/2012_Fall", "a/b/c"})
    void courseKeysRoundTrip(String key) {
        CourseKey parsed = CourseKey.parse(key);
        assertThat(parsed.toString()).isEqualTo(key);
        assertThat(CourseKey.parse(parsed.toString())).isEqualTo(parsed).hasSameHashCodeAs(parsed);
    }

    @Test
    void courseKeyParts() {
        CourseKey k = CourseKey.parse("course-v1:edX+DemoX+2026");
        assertThat(k.org()).isEqualTo("edX");
        assertThat(k.course()).isEqualTo("DemoX");
        assertThat(k.run()).isEqualTo("2026");
        assertThat(k.isDeprecatedForm()).isFalse();
        CourseKey old = CourseKey.parse("MITx/6.002x/2012_Fall");
        assertThat(old.org()).isEqualTo("MITx");
        assertThat(old.course()).isEqualTo("6.002x");
        assertThat(old.run()).isEqualTo("2012_Fall");
        assertThat(old.isDeprecatedForm()).isTrue();
    }

    @Test
    void courseKeyRules() {
        String prefix = "course-v1:" + "a".repeat(100) + "+" + "b".repeat(100) + "+";
        String max = prefix + "c".repeat(255 - prefix.length());
        assertThat(CourseKey.parse(max).toString()).hasSize(255);

        assertInvalid(() -> CourseKey.parse(null), "course", "must not be null");
        assertInvalid(() -> CourseKey.parse(""), "course", "must not be empty");
        assertInvalid(() -> CourseKey.parse(max + "c"), "course", "at most 255 characters (was 256)");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+DemoX"), "course", "a part is missing");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+DemoX+2026+extra"), "course", "exactly three parts");
        assertInvalid(() -> CourseKey.parse("course-v1:edX++2026"), "course", "non-empty course part");
        assertInvalid(() -> CourseKey.parse("course-v1:+DemoX+2026"), "course", "non-empty organization part");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+DemoX+"), "course", "non-empty run part");
        assertInvalid(() -> CourseKey.parse("MITx/6.002x"), "course", "a part is missing");
        assertInvalid(() -> CourseKey.parse("justtext"), "course", "must be course-v1:ORG+COURSE+RUN");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+Demo X+2026"), "course", "a space");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+Demo'X+2026"), "course", "a quote");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+Demo;X+2026"), "course", "';'");
        assertInvalid(() -> CourseKey.parse("course-v1:edX+Démo+2026"), "course", "U+00E9");
        assertInvalid(() -> CourseKey.parse("a/b c/d"), "course", "the course part has a space");
    }

    @ParameterizedTest
    @EnumSource(CourseMode.class)
    void everyModeRoundTripsThroughItsSlug(CourseMode mode) {
        assertThat(CourseMode.of(mode.slug())).isSameAs(mode);
        assertThat(mode.slug()).matches("[a-z-]+");
    }

    @Test
    void modeSlugs() {
        assertThat(CourseMode.NO_ID_PROFESSIONAL.slug()).isEqualTo("no-id-professional");
        assertThat(CourseMode.PAID_EXECUTIVE_EDUCATION.slug()).isEqualTo("paid-executive-education");
        assertThat(CourseMode.DEFAULT).isEqualTo(CourseMode.AUDIT);
        assertInvalid(() -> CourseMode.of("platinum"), "mode", "must be one of the Open edX modes");
        assertInvalid(() -> CourseMode.of("AUDIT"), "mode", "must be one of the Open edX modes");
        assertInvalid(() -> CourseMode.of(null), "mode", "must not be null");
    }

    static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String ruleFragment) {
        assertThatThrownBy(call)
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(field + " ")
                .hasMessageContaining(ruleFragment)
                .satisfies(t -> assertThat(((InvalidInputException) t).field()).isEqualTo(field));
    }
}
