package dev.enrollment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/** Many users for the tests at scale: written behind the library's back, read back lazily as saved Users. */
final class BulkUsers {
    private BulkUsers() {
    }

    /** Inserts users with ids 1..n, named {@code prefix + id}, in batches. */
    static void load(TestDatabase db, String prefix, long n) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO auth_user (id, password, is_superuser, username, "
                     + "first_name, last_name, email, is_staff, is_active, date_joined) "
                     + "VALUES (?, '!', FALSE, ?, '', '', '', FALSE, TRUE, ?)")) {
            for (long i = 1; i <= n; i++) {
                ps.setLong(1, i);
                ps.setString(2, prefix + i);
                ps.setTimestamp(3, now);
                ps.addBatch();
                if (i % 5000 == 0 || i == n) {
                    ps.executeBatch();
                }
            }
        }
    }

    /** Saved users 1..n, loaded a thousand at a time as the iteration goes, never all at once. */
    static Iterable<User> byId(Enrollments e, long n) {
        return () -> new Iterator<>() {
            private long next = 1;
            private Iterator<User> page = List.<User>of().iterator();

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && next <= n) {
                    long to = Math.min(n, next + 999);
                    page = e.users().findAllById(LongStream.rangeClosed(next, to).boxed()
                            .collect(Collectors.toList())).iterator();
                    next = to + 1;
                }
                return page.hasNext();
            }

            @Override
            public User next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }
}
