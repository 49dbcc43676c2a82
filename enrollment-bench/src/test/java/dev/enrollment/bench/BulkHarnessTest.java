package dev.enrollment.bench;

import dev.enrollment.User;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bulk scenario's lazy user source and count checks, without a database. */
class BulkHarnessTest {
    /** Stands in for findAllById: no saved User can be made outside the library, so the test counts ids. */
    private static List<User> fake(List<Long> ids, List<List<Long>> calls) {
        calls.add(List.copyOf(ids));
        List<User> out = new ArrayList<>();
        for (Long id : ids) {
            out.add(User.unsaved("u" + id, ""));
        }
        return out;
    }

    @Test
    void lazyUsersLoadOnePageAtATimeAndOnlyWhenNeeded() {
        long[] ids = new long[2_500];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        List<List<Long>> calls = new ArrayList<>();
        LazyUsers users = new LazyUsers(ids, 1_000, page -> fake(page, calls));
        Iterator<User> it = users.iterator();
        assertThat(calls).isEmpty();                       // nothing loaded before the first read
        for (int i = 0; i < 1_000; i++) {
            assertThat(it.next().username()).isEqualTo("u" + (i + 1));
        }
        assertThat(calls).hasSize(1);                      // the second page waits for the 1,001st user
        int n = 1_000;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        assertThat(n).isEqualTo(2_500);
        assertThat(calls).extracting(List::size).containsExactly(1_000, 1_000, 500);
        assertThat(users.pages()).isEqualTo(3);
        assertThat(users.largestPage()).isEqualTo(1_000);
        assertThat(users.loadNanos()).isPositive();
    }

    @Test
    void lazyUsersSkipPagesWhoseUsersAreAllGone() {
        long[] ids = {1, 2, 3, 4, 5};
        List<List<Long>> calls = new ArrayList<>();
        LazyUsers users = new LazyUsers(ids, 2, page -> page.contains(3L) ? List.of() : fake(page, calls));
        List<String> names = new ArrayList<>();
        users.forEach(u -> names.add(u.username()));
        assertThat(names).containsExactly("u1", "u2", "u5");
        assertThat(users.pages()).isEqualTo(3);
    }

    @Test
    void lazyUsersKeepTheLoadersStatementsOutOfTheCallersCapture() {
        RoundTrips.start(false);
        try {
            LazyUsers users = new LazyUsers(new long[] {1, 2}, 1, page -> fake(page, new ArrayList<>()));
            users.forEach(u -> { });
            assertThat(users.pages()).isEqualTo(2);
        } finally {
            RoundTrips.stop();   // still the caller's capture: resumed after each load
        }
    }

    @Test
    void countChecksNameWhatIsWrong() {
        HeapWatch.Peak heap = new HeapWatch.Peak(0, 0, -1, 0);
        BulkScenario.Outcome lib = new BulkScenario.Outcome(100, 0, 0, 0, 1, 100);
        assertThat(new BulkScenario.Measured(BulkScenario.LIBRARY, 1, 100, lib, 1, 7, 0.5, 100, 100, heap, 0)
                .check()).isEmpty();
        assertThat(new BulkScenario.Measured(BulkScenario.LIBRARY, 1, 100, lib, 1, 7, 0.5, 100, 0, heap, 0)
                .check()).contains("history gained 0 rows, expected 100");
        BulkScenario.Outcome again = new BulkScenario.Outcome(0, 100, 0, 0, 1, 100);
        assertThat(new BulkScenario.Measured(BulkScenario.LIBRARY, 2, 100, again, 1, 4, 0.5, 0, 0, heap, 0)
                .check()).isEmpty();
        BulkScenario.Outcome raw = new BulkScenario.Outcome(-1, -1, 0, 0, 1, 0);
        assertThat(new BulkScenario.Measured(BulkScenario.RAW, 1, 100, raw, 1, 1, 0.5, 99, 0, heap, 0)
                .check()).contains("table gained 99 rows, expected 100");
        BulkScenario.Outcome tooBig = new BulkScenario.Outcome(100, 0, 0, 0, 1, 5_000);
        assertThat(new BulkScenario.Measured(BulkScenario.LIBRARY, 1, 100, tooBig, 1, 7, 0.5, 100, 100, heap, 0)
                .check()).contains("loaded 5000 users at once");
    }
}
