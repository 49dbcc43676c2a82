package dev.enrollment.internal;

import dev.enrollment.Allowances;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.Transaction;
import dev.enrollment.Users;

/** The repositories of one caller's transaction. */
public final class TransactionImpl implements Transaction {
    private final Users users;
    private final EnrollmentRepository enrollments;
    private final Allowances allowances;
    private final Session session;
    private java.sql.Connection callerConnection;

    /**
     * Creates the repositories on a transaction's session.
     *
     * @param session the transaction's session
     */
    public TransactionImpl(Session session) {
        this.session = session;
        Scope scope = Scope.in(session);
        this.users = new UserStore(scope);
        this.enrollments = new EnrollmentStore(scope, Change.NONE);
        this.allowances = new AllowanceStore(scope);
    }

    @Override
    public Users users() {
        return users;
    }

    @Override
    public EnrollmentRepository enrollments() {
        return enrollments;
    }

    @Override
    public Allowances allowances() {
        return allowances;
    }

    @Override
    public java.sql.Connection connection() {
        if (!session.isOpen()) {
            throw new dev.enrollment.InvalidInputException("transaction",
                    "is over: use its connection only inside the work");
        }
        if (callerConnection == null) {
            callerConnection = CallerConnection.of(session);
        }
        return callerConnection;
    }
}
