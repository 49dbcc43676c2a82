package com.example.signup;

import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentListener;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Sends a welcome mail for each new enrollment: an {@link EnrollmentListener} bean, which the starter registers. It
 * hears of an enrollment only after the sign-up's transaction committed, so nobody is welcomed to a course whose
 * payment was declined. (It keeps the mails in memory: a real one would hand them to a mail service.)
 */
@Component
public class WelcomeMails implements EnrollmentListener {
    private final List<String> sent = new ArrayList<>();

    @Override
    public synchronized void onEvent(EnrollmentEvent event) {
        if (event.type() == EnrollmentEvent.Type.CREATED || event.type() == EnrollmentEvent.Type.ACTIVATED) {
            event.after().ifPresent(e -> sent.add(e.user().username() + " -> " + e.courseKey()));
        }
    }

    /**
     * Returns the mails sent so far.
     *
     * @return "username -> course" per mail
     */
    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }
}
