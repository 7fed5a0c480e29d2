// What a user noticed: network ranges in firewall rules, Terraform, Kubernetes and route tables
// ("10.0.0.0/16", "iptables -s 192.168.0.0/16", "network 10.1.0.0 netmask 255.255.0.0") were reported as IP
// addresses, so infrastructure questions went to the local model. A range names no host anyone sits behind.
// Hosts, including one whose last two octets are zero in an access log, are still found.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const addresses = (text: string) => valuesOf(engine, "IP_ADDRESS", text);

describe("network ranges are not IP addresses", () => {
  it.each([
    "allow 10.0.0.0/8 and 172.16.0.0/12",
    "iptables -A INPUT -s 192.168.0.0/16 -j ACCEPT",
    "cidr_block: 10.0.0.0/16",
    'cidr_block = "10.0.0.0/16"',
    "podSubnet: 10.244.0.0/16",
    "kubeadm init --pod-network-cidr=10.244.0.0/16",
    "Docker default bridge is 172.17.0.0/16",
    "RFC1918 ranges are 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16",
    "The VPC uses 10.0.0.0/16 and the subnets 10.0.1.0/24.",
    "network 10.1.0.0 netmask 255.255.0.0",
    "ip route add 10.8.0.0 via 10.1.0.1",
  ])("%s", (text) => {
    expect(addresses(text).filter((a) => /\.0$/.test(a))).toEqual([]);
  });
});

describe("hosts are still found", () => {
  it.each([
    ["10.5.0.0 - - [03/Dec/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200", "10.5.0.0"],
    ["ip route add 10.8.0.0 via 10.1.0.1", "10.1.0.1"],
    ["allow 10.1.20.30/32 only", "10.1.20.30"],
    ["the printer is at 10.1.20.30", "10.1.20.30"],
    ["blocked 45.136.36.159 after five failed logins", "45.136.36.159"],
  ])("%s", (text, address) => {
    expect(addresses(text)).toEqual([address]);
  });
});
