// What a user noticed: four-part version numbers (.NET assembly versions, binding redirects, browser
// user agents, "upgrade from 4.5.2.1 to 4.6.0.0") and the unroutable 0.0.0.0 / loopback 127.x.x.x were
// reported as IP addresses, so the request went to the local model and the cloud saw
// "<AssemblyVersion><IP_ADDRESS_1></AssemblyVersion>". Real addresses in logs and prose are still found.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const addresses = (text: string) => valuesOf(engine, "IP_ADDRESS", text);

describe("version numbers are not IP addresses", () => {
  it.each([
    "Fix this: <AssemblyVersion>4.5.2.1</AssemblyVersion> is rejected by MSBuild",
    '[assembly: AssemblyFileVersion("1.2.3.4")]',
    '<bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />',
    "Microsoft.Extensions.Logging 8.0.0.0 conflicts with 6.0.0.0",
    "FileVersion 1.0.0.1 ProductVersion 1.0.0.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Upgrade from 4.5.2.1 to 4.6.0.0 broke the installer.",
    "We upgraded from 2.9.8.3, now the installer fails",
  ])("%s", (text) => {
    expect(addresses(text)).toEqual([]);
  });
});

describe("addresses that identify no host are not personal data", () => {
  it.each([
    "docker run -p 0.0.0.0:5432:5432 postgres:16",
    "app.listen(3000, '127.0.0.1')",
    "ifconfig shows inet 127.0.0.1 netmask 255.0.0.0",
    "the health check pings 127.0.1.1 from the container",
  ])("%s", (text) => {
    expect(addresses(text)).toEqual([]);
  });
});

describe("real addresses are still found", () => {
  it.each([
    ["connection from 203.0.113.7 refused", "203.0.113.7"],
    ["Mar 15 10:23:45 web01 sshd[12345]: Accepted publickey for deploy from 203.0.113.7 port 52344", "203.0.113.7"],
    ["The user's IP was 73.162.214.101 when they logged in from Denver.", "73.162.214.101"],
    ["login ok user=ann ip=104.81.84.122", "104.81.84.122"],
    ["blocked 45.136.36.159 after five failed logins", "45.136.36.159"],
    ["the printer is at 10.1.20.30", "10.1.20.30"],
    ["The VersionControl server at 192.168.1.24 is down", "192.168.1.24"],
  ])("%s", (text, address) => {
    expect(addresses(text)).toEqual([address]);
  });
});
