package com.example.signup;

import org.springframework.stereotype.Component;

/** Charges a card. This one stands in for a payment provider: cards starting with 4000 are declined. */
@Component
public class PaymentGateway {
    /**
     * Charges the card.
     *
     * @param card        the card number
     * @param amountCents what to charge
     * @throws PaymentDeclinedException when the provider declines it
     */
    public void charge(String card, int amountCents) {
        if (card == null || card.startsWith("4000")) {
            throw new PaymentDeclinedException("card declined");
        }
    }

    /** The provider declined the payment. */
    public static class PaymentDeclinedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PaymentDeclinedException(String message) {
            super(message);
        }
    }
}
