package dev.replog.testkit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A certificate authority made for one test, and the certificates it issues: servers' for
 * 127.0.0.1 and localhost, clients' named by their common name (PostgreSQL's {@code cert}
 * authentication takes it as the user name). Every file is written in the forms the servers and
 * clients under test read: PEM certificates, keys in PEM, in encrypted PKCS-8 DER and in a
 * PKCS-12 keystore.
 */
public final class TestCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** PKCS-12's PBE scheme: one the JDK both writes and reads back (pgjdbc decrypts keys with the JDK). */
    private static final String KEY_ENCRYPTION = "PBEWithSHA1AndDESede";

    private final Path dir;
    private final String password;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    /**
     * The files of one issued certificate.
     *
     * @param cert         the certificate, PEM
     * @param key          its private key, unencrypted PKCS-8 PEM (mode 0600)
     * @param encryptedKey its private key, PKCS-8 DER encrypted with the password ({@code .pk8})
     * @param keystore     key and chain in a PKCS-12 keystore, store and key protected by the password
     */
    public record Issued(Path cert, Path key, Path encryptedKey, Path keystore) {
    }

    private TestCertificates(Path dir, String password) throws GeneralSecurityException, IOException {
        this.dir = Files.createDirectories(dir);
        this.password = password;
        this.caKeys = keyPair();
        this.ca = sign(new X500Name("CN=Replog Test CA"), caKeys, true, null);
        this.caFile = writePem(dir.resolve("ca.crt"), "CERTIFICATE", ca.getEncoded());
    }

    /** A new authority, its files under {@code dir}; {@code password} protects every key and keystore it writes. */
    public static TestCertificates create(Path dir, String password) {
        try {
            return new TestCertificates(dir, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create a test certificate authority in " + dir, e);
        }
    }

    /** The authority's certificate, PEM: what clients and servers trust. */
    public Path caCert() {
        return caFile;
    }

    /** The authority's certificate in a PKCS-12 truststore protected by the password. */
    public Path trustStore() {
        Path file = dir.resolve("truststore.p12");
        if (!Files.exists(file)) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", ca);
                try (OutputStream out = Files.newOutputStream(file)) {
                    store.store(out, password.toCharArray());
                }
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write " + file, e);
            }
        }
        return file;
    }

    public String password() {
        return password;
    }

    /** A server certificate for 127.0.0.1 and localhost (usable as a client certificate too, as brokers need). */
    public Issued server(String name) {
        return issue(name, true);
    }

    /** A client certificate whose common name is {@code commonName}. */
    public Issued client(String commonName) {
        return issue(commonName, false);
    }

    private Issued issue(String name, boolean server) {
        try {
            KeyPair keys = keyPair();
            X509Certificate cert = sign(new X500Name("CN=" + name), keys, false, server ? new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}) : null);
            Path certFile = writePem(dir.resolve(name + ".crt"), "CERTIFICATE", cert.getEncoded());
            Path keyFile = writePem(dir.resolve(name + ".key"), "PRIVATE KEY", keys.getPrivate().getEncoded());
            Path encrypted = writePrivate(dir.resolve(name + ".pk8"), encrypt(keys.getPrivate().getEncoded()));
            Path keystore = dir.resolve(name + ".p12");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, keys.getPrivate(), password.toCharArray(), new Certificate[] {cert, ca});
            try (OutputStream out = Files.newOutputStream(keystore)) {
                store.store(out, password.toCharArray());
            }
            return new Issued(certFile, keyFile, encrypted, keystore);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + name, e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    private X509Certificate sign(X500Name subject, KeyPair keys, boolean authority, GeneralNames altNames)
            throws GeneralSecurityException, IOException {
        try {
            Instant now = Instant.now();
            X500Name issuer = authority ? subject : X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(authority ? keys.getPublic() : caKeys.getPublic()));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            }
            if (altNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(authority ? keys.getPrivate() : caKeys.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private byte[] encrypt(byte[] pkcs8) throws GeneralSecurityException, IOException {
        byte[] salt = new byte[8];
        RANDOM.nextBytes(salt);
        PBEParameterSpec spec = new PBEParameterSpec(salt, 2048);
        Cipher cipher = Cipher.getInstance(KEY_ENCRYPTION);
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(KEY_ENCRYPTION)
                .generateSecret(new PBEKeySpec(password.toCharArray())), spec);
        AlgorithmParameters parameters = AlgorithmParameters.getInstance(KEY_ENCRYPTION);
        parameters.init(spec);
        return new EncryptedPrivateKeyInfo(parameters, cipher.doFinal(pkcs8)).getEncoded();
    }

    private static Path writePem(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
        return type.contains("PRIVATE") ? writePrivate(file, bytes) : Files.write(file, bytes);
    }

    /** PostgreSQL and pgjdbc refuse a key file others may read. */
    private static Path writePrivate(Path file, byte[] bytes) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
