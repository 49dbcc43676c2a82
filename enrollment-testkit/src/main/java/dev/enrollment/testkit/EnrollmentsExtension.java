package dev.enrollment.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JUnit 5 extension that gives each test a fresh database, migrated with {@link Enrollments#migrate()}, and
 * removes it after the test, whether the test passed or failed.
 *
 * <pre>{@code
 * class SignupTest {
 *     @RegisterExtension
 *     static EnrollmentsExtension db = EnrollmentsExtension.h2();
 *
 *     @Test
 *     void enrollsANewUser(Enrollments enrollments) {          // or db.enrollments()
 *         Enrollment e = enrollments.enrollments().getOrCreate(
 *                 User.unsaved("alice", "alice@example.com"), CourseKey.parse("course-v1:edX+DemoX+2026"));
 *         assertThat(e.user().isSaved()).isTrue();
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #h2()}: an embedded, in-memory H2 database per test ({@code jdbc:h2:mem:enrollment_test_...}); the
 *       test kit brings H2, no server is needed.</li>
 *   <li>{@link #jdbcUrl(String, String, String)}: the URL names a MySQL, MariaDB or PostgreSQL <em>server</em>; for
 *       each test the extension creates a database named {@value #DATABASE_PREFIX} followed by a random suffix on
 *       that server, migrates it, and drops it after the test. The JDBC driver is the consumer's (test scope).</li>
 * </ul>
 *
 * <p>Register it on a static field (one extension for the class) or an instance field: either way every test
 * method gets its own database, created before the class's {@code @BeforeEach} methods run and dropped after its
 * {@code @AfterEach} methods. Tests may run in parallel: each has its own database and its own connection pool.
 *
 * <p>A test gets its {@link Enrollments} as a parameter of the test method (or of a {@code @BeforeEach} or
 * {@code @AfterEach} method), or from {@link #enrollments()}; {@link #dataSource()} and {@link #jdbcUrl()} give
 * the same database to code that wants plain SQL. If a class registers two of these extensions, both resolve
 * {@code Enrollments} parameters and JUnit refuses the ambiguity: use {@link #enrollments()} then.
 *
 * <p>After each test the extension fails the test if connections borrowed from its pool were not returned (a
 * leak), after a grace period of {@value #LEAK_GRACE_MILLIS} ms for work the test handed to other threads. The pool
 * also has HikariCP's leak detection on, which logs where a connection was borrowed when a test holds one longer
 * than {@value #LEAK_DETECTION_THRESHOLD_MILLIS} ms.
 *
 * <p>Configure the extension where it is registered, before any test runs:
 * {@code EnrollmentsExtension.jdbcUrl(url, user, password).poolSize(4).skipWhenUnreachable(true)}.
 */
public final class EnrollmentsExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** The prefix of every database the extension creates on a server (and of every H2 database's name). */
    public static final String DATABASE_PREFIX = "enrollment_test_";

    /** How long, in milliseconds, a test's borrowed connections may take to come back after the test ends. */
    public static final long LEAK_GRACE_MILLIS = 200;

    /** HikariCP's leak detection threshold in the test's pool, in milliseconds: it logs where a connection was taken. */
    public static final long LEAK_DETECTION_THRESHOLD_MILLIS = 5_000;

    private static final Pattern SERVER_URL =
            Pattern.compile("(jdbc:(mysql|mariadb|postgresql)://)([^/?#]+)(/[^?#]*)?(\\?.*)?");
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final String H2_USER = "sa";

    private enum Kind {
        H2("H2"), MYSQL("MySQL or MariaDB"), POSTGRES("PostgreSQL");

        private final String product;

        Kind(String product) {
            this.product = product;
        }
    }

    private final Kind kind;
    private final String scheme;
    private final String authority;
    private final String path;
    private final String query;
    private final String user;
    private final String password;
    private final Namespace namespace = Namespace.create(EnrollmentsExtension.class, new Object());
    private final ThreadLocal<TestDatabase> current = new ThreadLocal<>();
    private final Set<TestDatabase> running = ConcurrentHashMap.newKeySet();

    private volatile int poolSize = 10;
    private volatile boolean checkConnectionLeaks = true;
    private volatile boolean skipWhenUnreachable;

    private EnrollmentsExtension(Kind kind, String scheme, String authority, String path, String query, String user,
                                 String password) {
        this.kind = kind;
        this.scheme = scheme;
        this.authority = authority;
        this.path = path;
        this.query = query;
        this.user = user;
        this.password = password;
    }

    /**
     * Creates an extension that gives each test a fresh, in-memory H2 database, migrated, and shut down (so gone)
     * after the test. Needs no server.
     *
     * @return the extension
     */
    public static EnrollmentsExtension h2() {
        return new EnrollmentsExtension(Kind.H2, null, null, null, null, H2_USER, "");
    }

    /**
     * Creates an extension that gives each test a fresh database on a MySQL, MariaDB or PostgreSQL server: created
     * before the test, migrated, and dropped after it. The account needs the right to create and drop databases.
     *
     * <p>The URL names the server. A database part in it, such as {@code app} in
     * {@code jdbc:mysql://127.0.0.1:3306/app}, is only where the extension connects to create and drop the test
     * databases (PostgreSQL: {@code postgres} when the URL names none); the tests never use it. Query parameters
     * are kept for the test databases' connections. The password never appears in messages.
     *
     * @param url      the server, such as {@code jdbc:mysql://127.0.0.1:3306/} (MySQL and MariaDB, also
     *                 {@code jdbc:mariadb://}) or {@code jdbc:postgresql://127.0.0.1:5432/}
     * @param user     the account, may be null or empty when the URL or the server needs none
     * @param password its password, may be null or empty
     * @return the extension
     * @throws InvalidInputException if the URL is null, empty, or does not name a supported server
     */
    public static EnrollmentsExtension jdbcUrl(String url, String user, String password) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("url", "must not be empty: give a server such as "
                    + "jdbc:mysql://127.0.0.1:3306/ or jdbc:postgresql://127.0.0.1:5432/");
        }
        if (url.startsWith("jdbc:h2:")) {
            throw new InvalidInputException("url", "names an H2 database: use EnrollmentsExtension.h2(), which makes "
                    + "a fresh in-memory H2 database for each test");
        }
        Matcher m = SERVER_URL.matcher(url.trim());
        if (!m.matches()) {
            // The URL itself is not repeated: it may carry a password.
            throw new InvalidInputException("url", "must name a MySQL, MariaDB or PostgreSQL server as "
                    + "jdbc:mysql://host:port/, jdbc:mariadb://host:port/ or jdbc:postgresql://host:port/");
        }
        Kind kind = "postgresql".equals(m.group(2)) ? Kind.POSTGRES : Kind.MYSQL;
        return new EnrollmentsExtension(kind, m.group(1), m.group(3), m.group(4), m.group(5),
                user == null || user.isEmpty() ? null : user, password == null || password.isEmpty() ? null : password);
    }

    /**
     * Sets the maximum size of each test's connection pool; 10 by default.
     *
     * @param size at least 1
     * @return this extension
     * @throws InvalidInputException if the size is below 1
     */
    public EnrollmentsExtension poolSize(int size) {
        if (size < 1) {
            throw new InvalidInputException("poolSize", "must be at least 1 (was " + size + ")");
        }
        this.poolSize = size;
        return this;
    }

    /**
     * Turns the connection leak check on (the default) or off. When on, a test whose borrowed connections are not
     * all back in the pool {@value #LEAK_GRACE_MILLIS} ms after it ends fails, even if its own assertions passed.
     *
     * @param check whether to check
     * @return this extension
     */
    public EnrollmentsExtension checkConnectionLeaks(boolean check) {
        this.checkConnectionLeaks = check;
        return this;
    }

    /**
     * Whether a test is skipped (aborted, in JUnit's terms) instead of failed when the server cannot be reached;
     * off by default. Failures other than an unreachable server, such as a wrong password or missing rights,
     * always fail the test. A typical use skips locally but never on CI:
     * {@code .skipWhenUnreachable(!"true".equals(System.getenv("CI")))}.
     *
     * @param skip whether to skip
     * @return this extension
     */
    public EnrollmentsExtension skipWhenUnreachable(boolean skip) {
        this.skipWhenUnreachable = skip;
        return this;
    }

    /**
     * Returns the running test's {@link Enrollments}, on its own migrated database.
     *
     * @return the test's instance
     * @throws IllegalStateException outside a test (in a static initializer, a constructor, a {@code @BeforeAll}
     *                               method), or from a thread of no test when several run at once
     */
    public Enrollments enrollments() {
        return current().enrollments;
    }

    /**
     * Returns the running test's data source, a connection pool on its database, for plain SQL. Close every
     * connection taken from it (the extension fails a test that does not); the extension closes the pool itself.
     *
     * @return the test's data source
     * @throws IllegalStateException outside a test, as {@link #enrollments()}
     */
    public DataSource dataSource() {
        return current().pool;
    }

    /**
     * Returns the JDBC URL of the running test's database, such as
     * {@code jdbc:mysql://127.0.0.1:3306/enrollment_test_...} or {@code jdbc:h2:mem:enrollment_test_...}, with the
     * query parameters of the URL the extension was given. Connect with the same user and password.
     *
     * @return the test database's URL
     * @throws IllegalStateException outside a test, as {@link #enrollments()}
     */
    public String jdbcUrl() {
        return current().url;
    }

    /**
     * Returns the name of the running test's database: {@value #DATABASE_PREFIX} followed by a random suffix of
     * lowercase letters and digits.
     *
     * @return the test database's name
     * @throws IllegalStateException outside a test, as {@link #enrollments()}
     */
    public String databaseName() {
        return current().name;
    }

    /**
     * Creates, migrates and opens the test's database. Part of JUnit's extension API; not for callers.
     *
     * @param context the test's context
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        TestDatabase db = open();
        context.getStore(namespace).put(TestDatabase.class, db);
        running.add(db);
        current.set(db);
    }

    /**
     * Checks for leaked connections, then closes the test's pool and drops its database. Part of JUnit's extension
     * API; not for callers.
     *
     * @param context the test's context
     * @throws AssertionFailedError if the test left connections borrowed (after the database was dropped anyway)
     */
    @Override
    public void afterEach(ExtensionContext context) {
        TestDatabase db = context.getStore(namespace).remove(TestDatabase.class, TestDatabase.class);
        current.remove();
        if (db == null) {
            return;  // beforeEach failed, and cleaned up after itself
        }
        running.remove(db);
        int leaked = checkConnectionLeaks ? awaitReturned(db.pool) : 0;
        RuntimeException closeFailure = null;
        try {
            db.close();
        } catch (RuntimeException e) {
            closeFailure = e;
        }
        if (leaked > 0) {
            AssertionFailedError leak = new AssertionFailedError("EnrollmentsExtension: connection leak: "
                    + context.getDisplayName() + " left " + leaked + " connection(s) borrowed from its pool "
                    + LEAK_GRACE_MILLIS + " ms after it ended. Close every Connection taken from db.dataSource() "
                    + "(try-with-resources), with its statements and result sets, and every Stream the library "
                    + "returns. The test's database was dropped anyway; checkConnectionLeaks(false) turns this off.");
            if (closeFailure != null) {
                leak.addSuppressed(closeFailure);
            }
            throw leak;
        }
        if (closeFailure != null) {
            throw closeFailure;
        }
    }

    /**
     * Tells whether a parameter is an {@link Enrollments}. Part of JUnit's extension API; not for callers.
     *
     * @param parameterContext the parameter
     * @param extensionContext the context
     * @return true for a parameter of type {@link Enrollments}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Enrollments.class;
    }

    /**
     * Returns the test's {@link Enrollments}. Part of JUnit's extension API; not for callers.
     *
     * @param parameterContext the parameter
     * @param extensionContext the context
     * @return the test's instance
     * @throws ParameterResolutionException outside a test method or its {@code @BeforeEach}/{@code @AfterEach}
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestDatabase db = extensionContext.getStore(namespace).get(TestDatabase.class, TestDatabase.class);
        if (db == null) {
            throw new ParameterResolutionException("EnrollmentsExtension gives an Enrollments parameter to test "
                    + "methods and their @BeforeEach and @AfterEach methods only, not to constructors or "
                    + "@BeforeAll methods: each test has its own database");
        }
        return db.enrollments;
    }

    private TestDatabase current() {
        TestDatabase db = current.get();
        if (db != null) {
            return db;
        }
        // A thread the test started itself: unambiguous only when one test of this extension is running.
        TestDatabase only = null;
        int count = 0;
        for (TestDatabase d : running) {
            only = d;
            count++;
        }
        if (count == 1) {
            return only;
        }
        if (count == 0) {
            throw new IllegalStateException("EnrollmentsExtension: no test is running; each test method (with its "
                    + "@BeforeEach and @AfterEach methods) gets its own database, static initializers, constructors "
                    + "and @BeforeAll methods get none");
        }
        throw new IllegalStateException("EnrollmentsExtension: " + count + " tests run at once and this thread "
                + "belongs to none of them: take the Enrollments as a parameter of the test method instead");
    }

    private TestDatabase open() {
        String name = DATABASE_PREFIX + UUID.randomUUID().toString().replace("-", "");
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalStateException("generated database name is not [a-z0-9_]: " + name);
        }
        TestDatabase db = new TestDatabase(name);
        try {
            if (kind == Kind.H2) {
                db.url = "jdbc:h2:mem:" + name;
                // Holds the in-memory database open until close() shuts it down, whatever the pool does.
                db.anchor = DriverManager.getConnection(db.url, H2_USER, "");
            } else {
                admin("createTestDatabase", "create the test's database", createSql(name));
                db.created = true;
                db.url = scheme + authority + "/" + name + (query == null ? "" : query);
            }
            db.pool = pool(db.url, name);
            db.enrollments = Enrollments.builder().dataSource(db.pool).build();
            db.enrollments.migrate();
            return db;
        } catch (SQLException e) {
            DatabaseException failure = new DatabaseException("createTestDatabase", 1, "EnrollmentsExtension could "
                    + "not open an in-memory H2 database: " + scrub(e.getMessage()), e);
            closeAfterFailure(db, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            closeAfterFailure(db, e);
            throw e;
        }
    }

    private static void closeAfterFailure(TestDatabase db, Throwable failure) {
        try {
            db.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private HikariDataSource pool(String url, String name) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);  // keep the connection HikariCP checks at start; open the others on demand
        config.setLeakDetectionThreshold(LEAK_DETECTION_THRESHOLD_MILLIS);
        if (url.startsWith("jdbc:mysql:")) {
            config.addDataSourceProperty("useLocalSessionState", "true");
            config.addDataSourceProperty("cachePrepStmts", "true");
        }
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException lives in an internal package: never let it reach the test.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DatabaseException("createTestDatabase", 1, "EnrollmentsExtension could not open a pool on the "
                    + "test's " + kind.product + " database: " + scrub(cause.getMessage()), cause);
        }
    }

    private String createSql(String name) {
        return kind == Kind.POSTGRES ? "CREATE DATABASE " + name : "CREATE DATABASE " + name + " CHARACTER SET utf8mb4";
    }

    private String dropSql(String name) {
        return kind == Kind.POSTGRES ? "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
                : "DROP DATABASE IF EXISTS " + name;
    }

    /** Runs one statement on the server, outside any test database. Names are generated and checked: no input. */
    private void admin(String operation, String what, String sql) {
        String adminUrl = scheme + authority
                + (kind == Kind.POSTGRES && (path == null || "/".equals(path)) ? "/postgres" : (path == null ? "" : path))
                + (query == null ? "" : query);
        try {
            DriverManager.getDriver(adminUrl);
        } catch (SQLException e) {
            throw new IllegalStateException("EnrollmentsExtension: no JDBC driver for " + scheme + " URLs on the test "
                    + "class path; add " + (kind == Kind.POSTGRES ? "org.postgresql:postgresql"
                    : "com.mysql:mysql-connector-j (or org.mariadb.jdbc:mariadb-java-client)") + " with test scope");
        }
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        Connection c;
        try {
            c = DriverManager.getConnection(adminUrl, props);
        } catch (SQLException e) {
            String message = "EnrollmentsExtension cannot connect to the " + kind.product + " server at " + hostAndPort()
                    + (user == null ? "" : " as " + user) + " to " + what + ": " + scrub(e.getMessage());
            if (skipWhenUnreachable && "createTestDatabase".equals(operation)
                    && String.valueOf(e.getSQLState()).startsWith("08")) {
                Assumptions.abort(message + " (skipped: skipWhenUnreachable)");
            }
            throw new DatabaseException(operation, 1, message, e);
        }
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new DatabaseException(operation, 1, "EnrollmentsExtension could not " + what + " on the "
                    + kind.product + " server at " + hostAndPort() + ": " + scrub(e.getMessage()), e);
        }
    }

    private String hostAndPort() {
        int at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.substring(at + 1);
    }

    private String scrub(String text) {
        if (text == null) {
            return "";
        }
        return password == null ? text : text.replace(password, "***");
    }

    /** Waits up to the grace period for the pool's borrowed connections to come back; returns how many did not. */
    private static int awaitReturned(HikariDataSource pool) {
        HikariPoolMXBean bean = pool == null ? null : pool.getHikariPoolMXBean();
        if (bean == null) {
            return 0;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEAK_GRACE_MILLIS);
        int active = bean.getActiveConnections();
        while (active > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            active = bean.getActiveConnections();
        }
        return active;
    }

    /** One test's database: its pool, its Enrollments, and how to remove it. Closing is idempotent. */
    private final class TestDatabase implements AutoCloseable {
        private final String name;
        private String url;
        private Connection anchor;
        private boolean created;
        private HikariDataSource pool;
        private Enrollments enrollments;
        private boolean closed;

        private TestDatabase(String name) {
            this.name = name;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (enrollments != null) {
                enrollments.close();
            }
            if (pool != null) {
                pool.close();  // also aborts connections a leaking test still holds
            }
            if (anchor != null) {
                try (Connection c = anchor; Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                } catch (SQLException e) {
                    throw new DatabaseException("dropTestDatabase", 1, "EnrollmentsExtension could not shut down "
                            + "the test's H2 database " + name + ": " + e.getMessage(), e);
                }
            }
            if (created) {
                admin("dropTestDatabase", "drop the test's database " + name, dropSql(name));
            }
        }
    }
}
