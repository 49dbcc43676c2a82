package com.example.signup;

import dev.enrollment.InvalidInputException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** {@code POST /signups} with {@code {"username", "email", "course", "card"}}. */
@RestController
public class SignupController {
    private final SignupService signups;

    SignupController(SignupService signups) {
        this.signups = signups;
    }

    /** A sign-up request. */
    public record SignupRequest(String username, String email, String course, String card) {
    }

    @PostMapping("/signups")
    ResponseEntity<SignupService.Signup> signUp(@RequestBody SignupRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(signups.signUp(request.username(), request.email(), request.course(), request.card()));
    }

    @ExceptionHandler(PaymentGateway.PaymentDeclinedException.class)
    ResponseEntity<Map<String, String>> declined(PaymentGateway.PaymentDeclinedException e) {
        return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<Map<String, String>> invalid(InvalidInputException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }
}
