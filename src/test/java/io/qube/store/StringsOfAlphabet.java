package io.qube.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test inputs for syntax checks: every string up to a length over a small alphabet, plus longer random ones. */
public final class StringsOfAlphabet {

    /** Characters each syntax treats differently: lower, upper, digit, the allowed punctuation, and others. */
    public static final String ALPHABET = "aZ0-_./ é";

    private StringsOfAlphabet() {
    }

    public static List<String> upTo(int length, int randomLonger) {
        List<String> all = new ArrayList<>();
        all.add("");
        List<String> previous = List.of("");
        for (int n = 1; n <= length; n++) {
            List<String> next = new ArrayList<>();
            for (String prefix : previous) {
                for (char c : ALPHABET.toCharArray()) {
                    next.add(prefix + c);
                }
            }
            all.addAll(next);
            previous = next;
        }
        Random random = new Random(42);
        String common = "abz09-.";
        for (int i = 0; i < randomLonger; i++) {
            StringBuilder s = new StringBuilder();
            int n = 5 + random.nextInt(70);
            for (int j = 0; j < n; j++) {
                // Mostly characters names are made of, so that long valid strings occur too.
                String from = random.nextInt(10) == 0 ? ALPHABET : common;
                s.append(from.charAt(random.nextInt(from.length())));
            }
            all.add(s.toString());
        }
        return all;
    }
}
