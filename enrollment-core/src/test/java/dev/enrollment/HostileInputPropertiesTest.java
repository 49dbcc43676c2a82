package dev.enrollment;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;

import java.text.Normalizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Hostile input, generated: every failure is an InvalidInputException naming the field, and nothing else. */
class HostileInputPropertiesTest {
    private static final String KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~:-";

    private static TestDatabase db;
    private static Enrollments enrollments;

    @BeforeContainer
    static void open() {
        db = TestDatabase.create(TestDatabase.Kind.H2);
        enrollments = db.migrated();
    }

    @AfterContainer
    static void close() {
        enrollments.close();
        db.close();
    }

    @Provide
    Arbitrary<String> keyParts() {
        return Arbitraries.strings().withChars(KEY_CHARS).ofMinLength(1).ofMaxLength(80);
    }

    @Provide
    Arbitrary<String> validKeys() {
        Arbitrary<String> newStyle = Combinators.combine(keyParts(), keyParts(), keyParts())
                .as((o, c, r) -> "course-v1:" + o + "+" + c + "+" + r);
        Arbitrary<String> oldStyle = Combinators.combine(keyParts(), keyParts(), keyParts())
                .as((o, c, r) -> o + "/" + c + "/" + r);
        return Arbitraries.oneOf(newStyle, oldStyle).filter(k -> k.length() <= CourseKey.MAX_LENGTH);
    }

    @Property
    void courseKeysRoundTripThroughTheirCanonicalString(@ForAll("validKeys") String key) {
        CourseKey parsed = CourseKey.parse(key);
        assertThat(parsed.toString()).isEqualTo(key);
        assertThat(CourseKey.parse(parsed.toString())).isEqualTo(parsed);
    }

    @Property
    void everyCharacterOutsideTheAlphabetIsRejected(@ForAll("keyParts") String part, @ForAll char bad) {
        Assume.that(KEY_CHARS.indexOf(bad) < 0 && bad != '+' && bad != '/');
        String key = "course-v1:Org+" + part + bad + "+Run";
        Throwable thrown = catchThrowable(() -> CourseKey.parse(key));
        assertThat(thrown).isInstanceOf(InvalidInputException.class);
        assertThat(((InvalidInputException) thrown).field()).isEqualTo("course");
    }

    @Property
    void keysLongerThan255AreRejected(@ForAll @StringLength(min = 256, max = 10_000)
                                      @CharRange(from = 'a', to = 'z') String body) {
        Throwable thrown = catchThrowable(() -> CourseKey.parse("course-v1:" + body + "+b+c"));
        assertThat(thrown).isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 255");
    }

    /** Any string at all, up to 10,000 characters of any class: accepted, or refused with the library's exception. */
    @Property(tries = 2000)
    void arbitraryStringsNeverCauseAnyOtherException(@ForAll @StringLength(max = 10_000) String s) {
        for (Runnable call : new Runnable[] {() -> CourseKey.parse(s), () -> User.unsaved(s, ""),
                () -> User.unsaved("ok", s), () -> CourseMode.of(s)}) {
            Throwable thrown = catchThrowable(call::run);
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(InvalidInputException.class);
                assertThat(thrown.getMessage()).doesNotContain(s.length() > 3 ? s : "\u0000never");
            }
        }
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(200),                       // any class
                Arbitraries.strings().withChars("'\"\\;`%_\u0000\t\n\r ").ofMinLength(1).ofMaxLength(20),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(5),
                Arbitraries.of("'; DROP TABLE auth_user; --", "alice' OR '1'='1", "\u202Eevil", "a\u0000b",
                        "\uD800", "\\", "ｆｕｌｌ"));
    }

    @Property(tries = 500)
    void usernamesFollowDjangosRuleExactly(@ForAll("hostile") String name) {
        String normalized = Normalizer.normalize(name, Normalizer.Form.NFKC);
        boolean valid = !normalized.isEmpty() && normalized.codePointCount(0, normalized.length()) <= 150
                && normalized.codePoints().allMatch(cp -> Character.isLetterOrDigit(cp) || "@.+-_".indexOf(cp) >= 0);
        Throwable thrown = catchThrowable(() -> User.unsaved(name, ""));
        if (valid) {
            assertThat(thrown).isNull();
        } else {
            assertThat(thrown).isInstanceOf(InvalidInputException.class);
            assertThat(((InvalidInputException) thrown).field()).isEqualTo("username");
        }
    }

    @Property(tries = 300)
    void hostileUsersAreStoredLiterallyOrRefusedWithNothingWritten(@ForAll("hostile") String name,
                                                                   @ForAll("hostile") String local) {
        String email = local + "@example.com";
        long users = db.count("auth_user");
        long rows = db.count("student_courseenrollment");
        User unsaved;
        try {
            unsaved = User.unsaved(name + System.nanoTime(), email);
        } catch (InvalidInputException refused) {
            assertThat(db.count("auth_user")).isEqualTo(users);
            assertThat(db.count("student_courseenrollment")).isEqualTo(rows);
            return;
        }
        Enrollment e = enrollments.enrollments().getOrCreate(unsaved, CourseKey.parse("course-v1:Prop+Hostile+1"));
        assertThat(enrollments.users().findById(e.user().id().getAsLong())).hasValueSatisfying(u -> {
            assertThat(u.username()).isEqualTo(unsaved.username());
            assertThat(u.email()).isEqualTo(email);
        });
        assertThat(db.count("auth_user")).isEqualTo(users + 1);
    }
}
