package dev.enrollment.bench;

import dev.enrollment.User;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The users of a bulk enrollment as {@code enrollAll} should get them from a caller holding ids: a lazy
 * {@link Iterable} that loads one page of ids at a time ({@code Users.findAllById}) when the previous page is used
 * up, so that no more than one page of {@code User}s is ever held. It times the loading and counts the statements
 * it sends apart from the enrollment's ({@link RoundTrips#suspend}).
 */
final class LazyUsers implements Iterable<User> {
    private final long[] ids;
    private final int page;
    private final Function<List<Long>, List<User>> load;
    private long loadNanos;
    private long loadStatements;
    private long pages;
    private long largestPage;

    /**
     * @param ids  the users' ids, in the order to enroll them
     * @param page ids per load
     * @param load one page of ids to its users (for example {@code users()::findAllById})
     */
    LazyUsers(long[] ids, int page, Function<List<Long>, List<User>> load) {
        if (page < 1) {
            throw new IllegalArgumentException("page must be positive");
        }
        this.ids = ids;
        this.page = page;
        this.load = load;
    }

    /** @return time spent loading, in nanoseconds */
    long loadNanos() {
        return loadNanos;
    }

    /** @return statements sent while loading (when the caller's thread has a {@link RoundTrips} capture) */
    long loadStatements() {
        return loadStatements;
    }

    /** @return loads made */
    long pages() {
        return pages;
    }

    /** @return the most ids asked for in one load */
    long largestPage() {
        return largestPage;
    }

    @Override
    public Iterator<User> iterator() {
        return new Iterator<>() {
            private int next;              // the next id to load
            private List<User> current = List.of();
            private int at;

            @Override
            public boolean hasNext() {
                while (at == current.size() && next < ids.length) {
                    fill();
                }
                return at < current.size();
            }

            @Override
            public User next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.get(at++);
            }

            private void fill() {
                int end = Math.min(ids.length, next + page);
                List<Long> chunk = new ArrayList<>(end - next);
                for (int i = next; i < end; i++) {
                    chunk.add(ids[i]);
                }
                next = end;
                RoundTrips.Capture outer = RoundTrips.suspend();
                boolean counting = outer != null;
                if (counting) {
                    RoundTrips.start(false);
                }
                long t0 = System.nanoTime();
                try {
                    current = load.apply(chunk);
                } finally {
                    loadNanos += System.nanoTime() - t0;
                    if (counting) {
                        loadStatements += RoundTrips.stop().count();
                    }
                    RoundTrips.resume(outer);
                }
                at = 0;
                pages++;
                largestPage = Math.max(largestPage, chunk.size());
            }
        };
    }
}
