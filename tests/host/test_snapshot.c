// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/host/snapshot.c: what a snapshot or timeline file
 * becomes, and the error, naming the key, for each kind of bad input.
 * JSON is written with ' for ".
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "testlib.h"

#define G1	"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"
#define IFACE	"{'guid':'" G1 "','name':'eth0','connected':true"

static struct mh_timeline tl;

static const struct mh_snapshot *ok(const char *json)
{
	char err[MH_ERR_LEN];

	if (parse_quoted(json, &tl, err))
		fail_msg("%s: %s", json, err);
	return &tl.steps[0].snapshot;
}

static void bad(const char *json, const char *want_err)
{
	char err[MH_ERR_LEN];

	if (!parse_quoted(json, &tl, err))
		fail_msg("accepted: %s", json);
	if (strcmp(err, want_err))
		fail_msg("error\n  got  %s\n  want %s", err, want_err);
	assert_int_equal(tl.n_steps, 0);
}

static int teardown(void **state)
{
	(void)state;
	mh_timeline_free(&tl);
	return 0;
}

static void test_full_snapshot(void **state)
{
	const struct mh_interface *i;
	const struct mh_snapshot *s;

	(void)state;
	s = ok("{'name':'home','description':'d','hostAddressLoopback':true,"
	       "'ephemeralPortRange':[49152,53247],"
	       "'dns':{'servers':['192.168.1.1','FD00::0053'],"
	       "'suffixes':['home.arpa']},"
	       "'interfaces':[{'guid':'{6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8}',"
	       "'name':'wlan0','gelnic':false,'mac':'00:15:5d:aa:bb:cc',"
	       "'connected':true,'hidden':true,"
	       "'ipv4':{'mtu':1500,'metric':25,'disableDefaultRoutes':true},"
	       "'ipv6':{'mtu':1280,'metric':30},"
	       "'addresses':[{'address':'2001:DB8::0005','prefixLength':64,"
	       "'dadState':'deprecated','prefixOrigin':'routeradvertisement',"
	       "'suffixOrigin':'random'}],"
	       "'routes':[{'destination':'0.0.0.0/0','nextHop':'192.168.1.1',"
	       "'metric':7},{'destination':'fe80::/64'}]}]}");
	assert_int_equal(tl.n_steps, 1);
	assert_int_equal(tl.steps[0].after_ms, 0);
	assert_true(s->host_address_loopback);
	assert_int_equal(s->port_start, 49152);
	assert_int_equal(s->port_end, 53247);
	assert_int_equal(s->n_dns_servers, 2);
	assert_string_equal(s->dns_servers[1].text, "fd00::53");
	assert_string_equal(s->dns_suffixes[0], "home.arpa");
	assert_int_equal(s->n_interfaces, 1);
	i = &s->interfaces[0];
	assert_string_equal(i->guid, G1);
	assert_string_equal(i->name, "wlan0");
	assert_string_equal(i->mac, "00-15-5D-AA-BB-CC");
	assert_true(i->connected && i->hidden && !i->gelnic);
	assert_true(i->v4.present && i->v4.disable_default_routes);
	assert_int_equal(i->v4.mtu, 1500);
	assert_int_equal(i->v6.metric, 30);
	assert_false(i->v6.disable_default_routes);
	assert_string_equal(i->addresses[0].ip.text, "2001:db8::5");
	assert_int_equal(i->addresses[0].dad, MH_DAD_DEPRECATED);
	assert_int_equal(i->addresses[0].prefix_origin, 4);
	assert_int_equal(i->addresses[0].suffix_origin, 5);
	assert_int_equal(i->routes[0].metric, 7);
	assert_string_equal(i->routes[0].next_hop.text, "192.168.1.1");
	/* No nextHop: on-link in the destination's family. */
	assert_string_equal(i->routes[1].next_hop.text, "::");
	assert_int_equal(i->routes[1].dst_len, 64);
}

static void test_defaults(void **state)
{
	const struct mh_interface *i;
	const struct mh_snapshot *s;

	(void)state;
	s = ok("{'interfaces':[" IFACE ",'addresses':[{'address':'10.0.0.2',"
	       "'prefixLength':8}]}]}");
	assert_false(s->host_address_loopback);
	assert_int_equal(s->port_start, 60928);
	assert_int_equal(s->port_end, 65023);
	assert_int_equal(s->n_dns_servers, 0);
	i = &s->interfaces[0];
	assert_false(i->hidden || i->gelnic || i->v4.present || i->v6.present);
	assert_string_equal(i->mac, "");
	assert_int_equal(i->addresses[0].dad, MH_DAD_PREFERRED);
	assert_int_equal(i->addresses[0].prefix_origin, 0);
	assert_int_equal(i->addresses[0].suffix_origin, 0);
}

static void test_timeline(void **state)
{
	(void)state;
	ok("{'name':'t','description':'d','timeline':["
	   "{'snapshot':{'interfaces':[]}},"
	   "{'afterMs':3000,'note':'vpn up','expect':{'anything':[1]},"
	   "'snapshot':{'interfaces':[" IFACE "}]}}]}");
	assert_int_equal(tl.n_steps, 2);
	assert_int_equal(tl.steps[0].after_ms, 0);
	assert_null(tl.steps[0].note);
	assert_int_equal(tl.steps[1].after_ms, 3000);
	assert_string_equal(tl.steps[1].note, "vpn up");
	assert_int_equal(tl.steps[1].snapshot.n_interfaces, 1);
}

static void test_bad_json(void **state)
{
	(void)state;
	bad("{'interfaces':[],}",
	    "JSON: line 1 column 18: string or '}' expected near '}'");
	bad("[1]", "expected an object at the top");
	bad("{'interfaces':[], 'interfaces':[]}",
	    "JSON: line 1 column 30: duplicate object key near "
	    "'\"interfaces\"'");
}

static void test_bad_keys(void **state)
{
	(void)state;
	bad("{}", "interfaces: missing");
	bad("{'interfaces':[],'hostAddressLoopbak':true}",
	    "hostAddressLoopbak: unknown key");
	bad("{'interfaces':[" IFACE ",'ipv4':{'metrc':5}}]}",
	    "interfaces[0].ipv4.metrc: unknown key");
	bad("{'interfaces':[{'name':'eth0','connected':true}]}",
	    "interfaces[0].guid: missing");
	bad("{'interfaces':[{'guid':'" G1 "','name':'eth0'}]}",
	    "interfaces[0].connected: missing");
	bad("{'interfaces':[" IFACE ",'addresses':[{'address':'10.0.0.1'}]}]}",
	    "interfaces[0].addresses[0].prefixLength: missing");
	bad("{'timeline':[{'snapshot':{'interfaces':[]},'nte':'x'}]}",
	    "timeline[0].nte: unknown key");
	bad("{'timeline':[{'afterMs':5}]}", "timeline[0].snapshot: missing");
	bad("{'timeline':[{'snapshot':{'interfaces':[],'name':'x'}}]}",
	    "timeline[0].snapshot.name: unknown key");
}

static void test_bad_types(void **state)
{
	(void)state;
	bad("{'interfaces':{}}", "interfaces: expected an array, got an object");
	bad("{'interfaces':[" IFACE ",'hidden':'yes'}]}",
	    "interfaces[0].hidden: expected true or false, got a string");
	bad("{'interfaces':[" IFACE ",'ipv4':{'mtu':1500.5}}]}",
	    "interfaces[0].ipv4.mtu: expected an integer, got a number with "
	    "a fraction");
	bad("{'interfaces':[" IFACE ",'routes':[{'destination':'::/0',"
	    "'metric':-1}]}]}",
	    "interfaces[0].routes[0].metric: -1 is out of range 0..4294967295");
	bad("{'interfaces':[" IFACE ",'ipv6':{'mtu':4294967296}}]}",
	    "interfaces[0].ipv6.mtu: 4294967296 is out of range 0..4294967295");
	bad("{'interfaces':[5]}", "interfaces[0]: expected an object, got an "
	    "integer");
	bad("{'timeline':[]}", "timeline: has no step");
}

static void test_bad_values(void **state)
{
	(void)state;
	bad("{'interfaces':[{'guid':'6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e','name':"
	    "'eth0','connected':true}]}",
	    "interfaces[0].guid: \"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e\" is not "
	    "a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	bad("{'interfaces':[{'guid':'" G1 "','name':'a-very-long-name0',"
	    "'connected':true}]}",
	    "interfaces[0].name: \"a-very-long-name0\" is not a Linux interface "
	    "name (1 to 15 bytes, no / : or blanks)");
	bad("{'interfaces':[{'guid':'" G1 "','name':'eth 0','connected':true}]}",
	    "interfaces[0].name: \"eth 0\" is not a Linux interface name (1 to "
	    "15 bytes, no / : or blanks)");
	bad("{'interfaces':[" IFACE ",'mac':'00:15:5d:aa:bb'}]}",
	    "interfaces[0].mac: \"00:15:5d:aa:bb\" is not a MAC address "
	    "(00:15:5d:01:02:03)");
	bad("{'interfaces':[" IFACE ",'addresses':[{'address':'10.0.0.256',"
	    "'prefixLength':8}]}]}",
	    "interfaces[0].addresses[0].address: \"10.0.0.256\" is not an IP "
	    "address");
	bad("{'interfaces':[" IFACE ",'addresses':[{'address':'10.0.0.1',"
	    "'prefixLength':33}]}]}",
	    "interfaces[0].addresses[0].prefixLength: 33 is out of range 0..32");
	bad("{'interfaces':[" IFACE ",'addresses':[{'address':'10.0.0.1',"
	    "'prefixLength':8,'dadState':'Preferred'}]}]}",
	    "interfaces[0].addresses[0].dadState: \"Preferred\" is not one of "
	    "the allowed values");
	bad("{'interfaces':[" IFACE ",'routes':[{'destination':'10.1.2.3/16'}]}]}",
	    "interfaces[0].routes[0].destination: \"10.1.2.3/16\" has bits set "
	    "past the prefix length");
	bad("{'interfaces':[" IFACE ",'routes':[{'destination':'10.0.0.0'}]}]}",
	    "interfaces[0].routes[0].destination: \"10.0.0.0\" is not "
	    "ADDRESS/LENGTH");
	bad("{'interfaces':[" IFACE ",'routes':[{'destination':'::/129'}]}]}",
	    "interfaces[0].routes[0].destination: \"::/129\" is not "
	    "ADDRESS/LENGTH");
	bad("{'interfaces':[" IFACE ",'routes':[{'destination':'0.0.0.0/0',"
	    "'nextHop':'fe80::1'}]}]}",
	    "interfaces[0].routes[0].nextHop: fe80::1 is not of the "
	    "destination's family");
	bad("{'ephemeralPortRange':[60000,65000],'interfaces':[]}",
	    "ephemeralPortRange: expected [START, END] with 1 <= START, END <= "
	    "65535 and END - START = 4095");
	bad("{'ephemeralPortRange':[-9223372036854775807,65535],"
	    "'interfaces':[]}",
	    "ephemeralPortRange: expected [START, END] with 1 <= START, END <= "
	    "65535 and END - START = 4095");
	bad("{'dns':{'servers':['1.1.1.1','dns.example']},'interfaces':[]}",
	    "dns.servers[1]: expected an IP address string");
	bad("{'dns':{'suffixes':['a,b']},'interfaces':[]}",
	    "dns.suffixes[0]: expected a domain name (1 to 253 bytes, no comma "
	    "or blank)");
	bad("{'interfaces':[" IFACE "}," IFACE "}]}",
	    "interfaces[1].guid: " G1 " is also the guid of interfaces[0]");
	bad("{'interfaces':[" IFACE "},{'guid':'" G1 "1','name':'eth0',"
	    "'connected':true}]}",
	    "interfaces[1].guid: \"" G1 "1\" is not a GUID "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
}

static void test_load_file_errors(void **state)
{
	char err[MH_ERR_LEN];

	(void)state;
	assert_int_equal(mh_timeline_load("/nonexistent/x.json", &tl, err), -1);
	assert_string_equal(err, "No such file or directory");
	assert_int_equal(mh_timeline_load("/", &tl, err), -1);
	assert_int_equal(tl.n_steps, 0);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_snapshot),
		T(test_defaults),
		T(test_timeline),
		T(test_bad_json),
		T(test_bad_keys),
		T(test_bad_types),
		T(test_bad_values),
		T(test_load_file_errors),
	};

	return cmocka_run_group_tests_name("host-snapshot", tests, NULL, NULL);
}
