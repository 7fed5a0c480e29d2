/**
 * Passwords people paste inside shell commands (`mysql -psecret`, `docker login --password …`,
 * `curl -u user:pass`), under short keys (`DB_PASS=…`) and the classic default `password: password`
 * are still passwords: each one found here would otherwise reach the cloud in clear. Flags that only
 * name the option, prompt for it or read it from elsewhere are no secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("a password on a command line", () => {
  it.each([
    ["mysql -u root -psecret mydb", "secret"],
    ["mysql -uroot -p'S3cr3t!' -h db", "S3cr3t!"],
    ["mysqldump -u root -pMyPass123 shop > dump.sql", "MyPass123"],
    ["mariadb -h db -u app -phunter22", "hunter22"],
    ["docker login --password hunter2 --username bob", "hunter2"],
    ["docker login -u bob --password mysecret registry.io", "mysecret"],
    ["./deploy.sh --db-password 'Tr0ub4dor&3'", "Tr0ub4dor&3"],
    ["sshpass -p 'raspberry' ssh pi@example.org", "raspberry"],
    ["sshpass -p raspberry scp file pi@example.org:", "raspberry"],
    ["redis-cli -h cache -a s3cretpass ping", "s3cretpass"],
    ["curl -u admin:secret123 https://api.example.org", "secret123"],
    ["curl --user 'admin:changeme' https://api.example.org", "changeme"],
  ])("is found in %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    "mysql -u root -p mydb",
    "mysql -u root -p -h db.internal",
    'mysql -u root -p"$MYSQL_PWD" shop',
    "mysql -P 3306 -u app shop",
    "psql -h db -p 5432 -U app",
    "echo $TOKEN | docker login --password-stdin -u bob",
    "docker login --password $REGISTRY_PASSWORD",
    "Use the --password flag to pass it on the command line.",
    "Set --password to the value from the vault.",
    "curl -u admin https://api.example.org",
    "curl -u $USER:$PASS https://api.example.org",
    "tar -cpf backup.tar /srv",
    "cp -pr src dst",
  ])("is no secret in %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});

describe("a password under a short key", () => {
  it.each([
    ["DB_PASS=hunter22", "hunter22"],
    ["DB_PASS=postgres", "postgres"],
    ["SMTP_PASS=mailpass", "mailpass"],
    ["mail.smtp.pass: Sup3rS3cret", "Sup3rS3cret"],
  ])("is found in %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each(["pass: true", "tests pass: 1532", "my boarding pass is Gate12", "passport: required", "bypass=true", "DB_PASS_FILE=/run/secrets/db"])(
    "is no secret in %s",
    (text) => {
      expect(secrets(text)).toEqual([]);
    },
  );
});

describe("a password that is the word password", () => {
  it.each([
    ["password: password", "password"],
    ["db:\n  user: admin\n  password: password\n", "password"],
    ["DB_PASSWORD=password", "password"],
    ["spring.datasource.password=password", "password"],
  ])("is found when set: %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    "self.password = password",
    "def __init__(self, password):\n    self.password = password",
    "user = {\n  email: email,\n  password: password\n}",
    "User.new(email: email, password: password)",
    "params = { :password => password }",
    "password: req.body.password",
  ])("is a variable in code: %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});

describe("a password given to more clients", () => {
  it.each([
    ["mongosh -u admin -p hunter22 mongodb://db.example.org", "hunter22"],
    ["mongo admin -u root -p 'S3cret!'", "S3cret!"],
    ["influx -username admin -password hunter22", "hunter22"],
    ["smbclient //srv/share -U bob%hunter22", "hunter22"],
    ["lftp -u bob,hunter22 sftp://example.org", "hunter22"],
    ["htpasswd -b .htpasswd bob hunter22", "hunter22"],
    ["htpasswd -cb /etc/nginx/.htpasswd alice S3cret", "S3cret"],
  ])("is found in %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    "mongosh -u admin -p",
    "mongodump --db shop --out /backup",
    "htpasswd -c .htpasswd bob",
    "smbclient -L //srv -U bob",
    "lftp -u bob sftp://example.org",
  ])("is no secret when the client prompts for it: %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
