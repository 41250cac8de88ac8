package dev.mlm4j.eval;

import java.util.Locale;

/**
 * The fifteen genres of the Brown Corpus. A Brown file's name is {@code c}, the genre's letter, two digits
 * ({@code ca01} … {@code cr09}); the letters i, o and q are not used.
 */
public enum Genre {
    NEWS('a', "press: reportage"),
    EDITORIAL('b', "press: editorial"),
    REVIEWS('c', "press: reviews"),
    RELIGION('d', "religion"),
    HOBBIES('e', "skill and hobbies"),
    LORE('f', "popular lore"),
    BELLES_LETTRES('g', "belles-lettres"),
    GOVERNMENT('h', "government and house organs"),
    LEARNED('j', "learned"),
    FICTION('k', "fiction: general"),
    MYSTERY('l', "fiction: mystery"),
    SCIENCE_FICTION('m', "fiction: science"),
    ADVENTURE('n', "fiction: adventure"),
    ROMANCE('p', "fiction: romance"),
    HUMOR('r', "humour");

    private final char letter;
    private final String description;

    Genre(char letter, String description) {
        this.letter = letter;
        this.description = description;
    }

    public char letter() {
        return letter;
    }

    public String description() {
        return description;
    }

    /** The name used in tables and JSON: {@code news}, {@code belles_lettres}, … (NLTK's category names). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The genre of a letter a…r. */
    public static Genre ofLetter(char letter) {
        for (Genre g : values()) if (g.letter == letter) return g;
        throw new IllegalArgumentException("'" + letter + "' is not a Brown genre letter (a–h, j–n, p, r)");
    }
}
