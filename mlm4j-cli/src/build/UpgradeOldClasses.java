import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Build step of mlm4j-cli (run by the JDK's source launcher after the shade plugin, see pom.xml): rewrites the classes
 * of the CLI's jar whose class-file version is older than Java 6 (picocli and ASM are compiled for Java 5) as Java 8
 * class files, with the stack maps the JDK's class-file API computes — the same bytecode, only the version and the
 * verifier's frames added.
 *
 * <p>Why: JDK 25's start-up cache (the launcher's {@code -XX:AOTCache}) cannot hold a pre-Java-6 class once it has been
 * linked, nor any class that depends on one ("Skipping picocli/CommandLine: Old class has been linked"), so every
 * command loaded and verified picocli's ~180 classes from the jar (with the old type-inferencing verifier) and
 * {@code fill-mask --help} took 0.19 s instead of 0.16 (docs/BENCHMARKS.md §7, run 7). A class that cannot be rewritten
 * ({@code jsr}/{@code ret}) or whose rewritten form does not pass the class-file API's verifier is kept as it was.
 *
 * <p>Usage: {@code java UpgradeOldClasses.java JAR} (the jar is rewritten in place, entries in their order).
 */
public final class UpgradeOldClasses {
    private static final int JAVA_6 = 50, JAVA_8 = 52;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent(), jar.getFileName().toString(), ".tmp");
        int upgraded = 0, kept = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            // Stack maps need the common supertype of two classes: the JDK's own, else the jar's (read, not loaded).
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS, ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            // Code passed through a CodeTransform is rebuilt (and gets stack maps); untouched code would be copied as is.
            ClassTransform upgrade = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen((cb, e) -> {
                if (e instanceof ClassFileVersion) cb.withVersion(JAVA_8, 0);
                else cb.with(e);
            });
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                 ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    byte[] bytes = in.readAllBytes();
                    if (e.getName().endsWith(".class") && bytes.length > 8 && ((bytes[6] & 0xff) << 8 | (bytes[7] & 0xff)) < JAVA_6) {
                        byte[] newer;
                        try {
                            newer = cf.transformClass(cf.parse(bytes), upgrade);
                        } catch (RuntimeException notRewritable) {   // e.g. jsr/ret, which Java 8 class files cannot hold
                            newer = null;
                        }
                        if (newer != null && cf.verify(newer).isEmpty()) {
                            bytes = newer;
                            upgraded++;
                        } else {
                            kept++;
                        }
                    }
                    ZipEntry copy = new ZipEntry(e.getName());
                    copy.setTime(e.getTime());
                    out.putNextEntry(copy);
                    out.write(bytes);
                    out.closeEntry();
                }
            }
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        System.out.println("UpgradeOldClasses: " + jar.getFileName() + ": " + upgraded + " pre-Java-6 classes rewritten as Java 8"
                + (kept > 0 ? ", " + kept + " kept as they were (their rewrite failed or did not verify)" : ""));
    }
}
