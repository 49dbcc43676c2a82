package dev.enrollment.internal;

import java.security.SecureRandom;

/** Django's unusable password marker: users created by the library cannot log in with a password. */
final class Passwords {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SUFFIX_LENGTH = 40;   // django.contrib.auth.hashers.UNUSABLE_PASSWORD_SUFFIX_LENGTH

    private Passwords() {
    }

    /** Returns '!' followed by 40 random letters and digits, as Django's {@code make_password(None)}. */
    static String unusable() {
        StringBuilder s = new StringBuilder(SUFFIX_LENGTH + 1).append('!');
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
