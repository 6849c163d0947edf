// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the host engine (tools/host/engine.c): one or more cases
 * per rule of reference §5, each with the expected message stream written
 * out. A recording peer stands in for the guest: it keeps every message as
 * "Name payload" (with ' for " so the expectations stay readable), answers
 * 0 or -1 as the test scripts it, and records the retry timer's waits.
 */
#include <stdio.h>

#include "decode.h"
#include "engine.h"
#include "testlib.h"

#define G1	"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"
#define G2	"0c9d8e7f-6a5b-4c3d-2e1f-0000000000a1"
#define GL	"11111111-2222-3333-4444-555555555555"
#define T1	"'targetDeviceName':'{" G1 "}'"
#define T2	"'targetDeviceName':'{" G2 "}'"

#define MAX_LINES	512
#define MAX_SLEEPS	64

struct recorder {
	char *lines[MAX_LINES];
	size_t n;
	unsigned int sleeps[MAX_SLEEPS];
	size_t n_sleeps;
	/* Messages containing fail_match get -1, fail_times times (<0: always). */
	const char *fail_match;
	int fail_times;
};

static struct recorder rec;
static struct mh_engine *eng;
static struct mh_timeline tl;

static int rec_send(void *ctx, const struct mh_msg *m, int32_t *result)
{
	struct recorder *r = ctx;
	size_t len = strlen(m->text) + 64, i;
	char *line = malloc(len);

	assert_non_null(line);
	snprintf(line, len, "%s%s%s", gns_kind_name(m->kind),
		 m->text[0] ? " " : "", m->text);
	for (i = 0; line[i]; i++)
		if (line[i] == '"')
			line[i] = '\'';
	assert_true(r->n < MAX_LINES);
	r->lines[r->n++] = line;
	*result = 0;
	if (r->fail_match && strstr(line, r->fail_match) && r->fail_times) {
		*result = -1;
		if (r->fail_times > 0)
			r->fail_times--;
	}
	return 0;
}

static void rec_sleep(void *ctx, unsigned int ms)
{
	struct recorder *r = ctx;

	assert_true(r->n_sleeps < MAX_SLEEPS);
	r->sleeps[r->n_sleeps++] = ms;
}

static void rec_clear(void)
{
	size_t i;

	for (i = 0; i < rec.n; i++)
		free(rec.lines[i]);
	rec.n = 0;
	rec.n_sleeps = 0;
}

static int setup(void **state)
{
	struct mh_peer peer = {
		.send = rec_send, .sleep_ms = rec_sleep, .ctx = &rec,
	};

	(void)state;
	memset(&rec, 0, sizeof(rec));
	eng = mh_engine_new(&peer);
	return eng ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rec_clear();
	mh_engine_free(eng);
	mh_timeline_free(&tl);
	return 0;
}

static const struct mh_snapshot *load(const char *json)
{
	char err[MH_ERR_LEN];

	if (parse_quoted(json, &tl, err))
		fail_msg("snapshot: %s", err);
	assert_int_equal(tl.n_steps, 1);
	return &tl.steps[0].snapshot;
}

/* Run one step from @json; the recorder starts empty. */
static struct mh_step_result step(const char *json)
{
	const struct mh_snapshot *s = load(json);
	struct mh_step_result r;

	rec_clear();
	assert_int_equal(mh_engine_step(eng, s, &r), 0);
	return r;
}

/* The recorded lines containing @match, in order, must be @want. */
static void expect_lines(const char *match, const char *const *want,
			 size_t n_want)
{
	size_t i, k = 0;

	for (i = 0; i < rec.n; i++) {
		if (match && !strstr(rec.lines[i], match))
			continue;
		if (k >= n_want)
			fail_msg("unexpected message %zu: %s", k, rec.lines[i]);
		if (strcmp(rec.lines[i], want[k]))
			fail_msg("message %zu:\n  got  %s\n  want %s", k,
				 rec.lines[i], want[k]);
		k++;
	}
	if (k != n_want)
		fail_msg("%zu messages, want %zu; first missing: %s", k,
			 n_want, want[k]);
}

#define EXPECT(match, ...) do {						\
	static const char *const want_[] = { __VA_ARGS__ };		\
	expect_lines(match, want_, sizeof(want_) / sizeof(want_[0]));	\
} while (0)

#define EXPECT_NONE(match) expect_lines(match, NULL, 0)

/* Interface pieces for the snapshots below. */
#define ETH0_HEAD "{'guid':'" G1 "','name':'eth0','connected':true,"	\
	"'ipv4':{'mtu':1500,'metric':35},'ipv6':{'mtu':1500,'metric':35},"
#define ETH0_ADDR4 "{'address':'192.168.1.42','prefixLength':24,"	\
	"'prefixOrigin':'dhcp','suffixOrigin':'dhcp'}"
#define ETH0_ADDR6 "{'address':'2001:db8:1:2:215:5dff:feaa:bbcc',"	\
	"'prefixLength':64,'prefixOrigin':'routeradvertisement',"	\
	"'suffixOrigin':'linklayeraddress'}"
#define ETH0_ROUTES "{'destination':'0.0.0.0/0','nextHop':'192.168.1.1'},"\
	"{'destination':'192.168.1.0/24','metric':256}"
#define HOME "{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4	\
	"],'routes':[" ETH0_ROUTES "]}]}"

#define IFCONFIG_ETH0(mac) "InterfaceConfiguration {'DNSServerList':'',"	\
	"'GatewayAddress':'','ID':'" G1 "','IPAddress':'',"		\
	"'InterfaceConstraint':{'InterfaceAlias':'eth0','InterfaceGuid':'"\
	G1 "','InterfaceIndex':1,'InterfaceMediaType':0},'MacAddress':'"	\
	mac "','Name':'eth0','PortFriendlyName':'eth0','PrefixLength':0,"	\
	"'VirtualNetwork':'" G1 "','VirtualNetworkName':'mirrored'}"

/* The messages of HOME's first sync, after the endpoint was added. */
#define HOME_68 "InitialIpConfigurationNotification {'flags':3," T1 "}"
#define HOME_63 "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"	\
	"'ResourceType':'Interface','Settings':{'Connected':true,"	\
	"'Metric':35,'NlMtu':1500}," T1 "}"
#define ADDR4(req) "DeviceSettingRequest {'RequestType':'" req "',"	\
	"'ResourceType':'IPAddress','Settings':{'Address':'192.168.1.42',"\
	"'Family':2,'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"\
	"'PrefixOrigin':3,'SuffixOrigin':3}," T1 "}"
#define ROUTE(req, dst, metric, hop, site, fam, tgt)			\
	"DeviceSettingRequest {'RequestType':'" req "','ResourceType':"	\
	"'Route','Settings':{'DestinationPrefix':'" dst "','Family':"	\
	#fam ",'Metric':" #metric ",'NextHop':'" hop "',"		\
	"'SitePrefixLength':" #site "}," tgt "}"

/* ------------------------------------------------------------ start-up */

/* §5.1, §5.2, §5.3: the whole first stream of one NIC. */
static void test_startup_order(void **state)
{
	struct mh_step_result r;

	(void)state;
	r = step("{'ephemeralPortRange':[49152,53247],'interfaces':["
		 ETH0_HEAD "'mac':'00:15:5d:aa:bb:cc','addresses':["
		 ETH0_ADDR4 "],'routes':[" ETH0_ROUTES "]}]}");
	EXPECT(NULL,
	       "SetupIpv6 {}",
	       "GlobalNetFilter",
	       "VmNicCreatedNotification {'adapterId':'" G1 "'}",
	       IFCONFIG_ETH0("00-15-5D-AA-BB-CC"),
	       "InterfaceNetFilter {'ephemeralPortRangeEnd':53247,"
	       "'ephemeralPortRangeStart':49152,'operation':'Create'," T1 "}",
	       HOME_68,
	       HOME_63,
	       ADDR4("Add"),
	       ROUTE("Add", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
	assert_true(r.goal_state);
	assert_int_equal(r.messages, 11);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.passes, 1);
	assert_int_equal(rec.n_sleeps, 0);
}

/* SetupIpv6 and GlobalNetFilter once; a step without change is silent. */
static void test_startup_once(void **state)
{
	(void)state;
	step(HOME);
	step(HOME);
	EXPECT_NONE(NULL);
}

/* §5.2 step 5: the GELNIC is renamed loopback0, gets 62, no IP sync. */
static void test_gelnic(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" GL "','name':'gelnic','gelnic':true,"
	     "'connected':true,'ipv4':{'mtu':1500,'metric':5},'addresses':["
	     "{'address':'169.254.1.1','prefixLength':16}]}]}");
	EXPECT(NULL,
	       "SetupIpv6 {}",
	       "GlobalNetFilter",
	       "VmNicCreatedNotification {'adapterId':'" GL "'}",
	       "InterfaceConfiguration {'DNSServerList':'','GatewayAddress':'',"
	       "'ID':'" GL "','IPAddress':'','InterfaceConstraint':"
	       "{'InterfaceAlias':'gelnic','InterfaceGuid':'" GL "',"
	       "'InterfaceIndex':0,'InterfaceMediaType':0},"
	       "'MacAddress':'','Name':'gelnic',"
	       "'PortFriendlyName':'loopback0','PrefixLength':0,"
	       "'VirtualNetwork':'" GL "','VirtualNetworkName':'mirrored'}",
	       "CreateDeviceRequest {'deviceName':'loopback0','flags':0,"
	       "'lowerEdgeAdapterId':'" GL "','type':'Loopback'}");
}

/*
 * §5.2 then §5.3 step 1: every endpoint is added before the pass, and
 * each interface's first message of the pass is InitialIpConfiguration.
 */
static void test_initial_first_per_interface(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "]},"
	     "{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0},'addresses':[{'address':'10.8.0.5',"
	     "'prefixLength':32,'prefixOrigin':'manual',"
	     "'suffixOrigin':'manual'}]}]}");
	EXPECT("{" G2 "}",
	       "InterfaceNetFilter {'ephemeralPortRangeEnd':65023,"
	       "'ephemeralPortRangeStart':60928,'operation':'Create'," T2 "}",
	       "InitialIpConfigurationNotification {'flags':3," T2 "}",
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':true,"
	       "'Metric':0,'NlMtu':4294967295}," T2 "}",
	       "DeviceSettingRequest {'RequestType':'Add','ResourceType':"
	       "'IPAddress','Settings':{'Address':'10.8.0.5','Family':2,"
	       "'OnLinkPrefixLength':32,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':1,'SuffixOrigin':1}," T2 "}");
	/* Both endpoints are added before the first sync message. */
	assert_string_equal(rec.lines[8], HOME_68);
	assert_non_null(strstr(rec.lines[7], "InterfaceNetFilter"));
	step("{'interfaces':[" ETH0_HEAD "'addresses':[]},"
	     "{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0},'addresses':[]}]}");
	EXPECT_NONE("InitialIpConfiguration");
}

/* ------------------------------------------------------------- filters */

/* §5.5: host routes to the interface's own addresses, any length. */
static void test_filter_own_address_routes(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 ","
	     ETH0_ADDR6 "],'routes':["
	     "{'destination':'192.168.1.42/32','metric':256},"
	     "{'destination':'192.168.1.42/31','metric':256},"
	     "{'destination':'2001:db8:1:2:215:5dff:feaa:bbcc/128',"
	     "'nextHop':'::','metric':256},"
	     "{'destination':'192.168.1.43/32','metric':256}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "192.168.1.43/32", 291, "0.0.0.0", 0, 2, T1));
}

/*
 * §5.5: a deprecated (or tentative) address is not mirrored, and its
 * host route is dropped; a wider route that starts at it is kept.
 */
static void test_filter_non_preferred(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 ","
	     "{'address':'2001:db8::9','prefixLength':64,"
	     "'dadState':'deprecated'},"
	     "{'address':'10.1.0.0','prefixLength':24,"
	     "'dadState':'tentative'}],'routes':["
	     "{'destination':'2001:db8::9/128','nextHop':'::'},"
	     "{'destination':'10.1.0.0/32'},"
	     "{'destination':'10.1.0.0/24'}]}]}");
	EXPECT("'ResourceType':'IPAddress'", ADDR4("Add"));
	EXPECT("'Route'",
	       ROUTE("Add", "10.1.0.0/24", 35, "0.0.0.0", 0, 2, T1));
}

/* §5.5: multicast, limited and subnet broadcast, 0/8 and 240/4. */
static void test_filter_broadcast_multicast(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "],"
	     "'routes':["
	     "{'destination':'224.0.0.0/4','metric':256},"
	     "{'destination':'239.255.255.250/32','metric':256},"
	     "{'destination':'255.255.255.255/32','metric':256},"
	     "{'destination':'192.168.1.255/32','metric':256},"
	     "{'destination':'0.1.0.0/16','metric':256},"
	     "{'destination':'240.0.0.0/4','metric':256},"
	     "{'destination':'ff00::/8','nextHop':'::','metric':256},"
	     "{'destination':'ff02::fb/128','nextHop':'::','metric':256},"
	     "{'destination':'127.0.0.0/8','metric':256}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "127.0.0.0/8", 291, "0.0.0.0", 0, 2, T1));
}

/*
 * §5.5: an IPv6 destination that embeds an IPv4 address that is not
 * unicast is dropped, as Windows' Ipv6AddressType() calls it invalid:
 * 6to4, v4-mapped, v4-translated, v4-compatible and ISATAP forms of
 * 0.0.0.0, 0/8, 224/4 and 240/4. The same forms of a unicast address, and
 * ::1, are kept.
 */
static void test_filter_ipv6_embedded_ipv4(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "],"
	     "'routes':["
	     "{'destination':'2002::/16','nextHop':'::','metric':256},"
	     "{'destination':'2002:e000::/24','nextHop':'::','metric':256},"
	     "{'destination':'2002:c000:201::/48','nextHop':'::','metric':256},"
	     "{'destination':'::ffff:0:0/96','nextHop':'::','metric':256},"
	     "{'destination':'::ffff:224.0.0.1/128','nextHop':'::','metric':256},"
	     "{'destination':'::ffff:192.0.2.0/120','nextHop':'::','metric':256},"
	     "{'destination':'::ffff:0:0:0/96','nextHop':'::','metric':256},"
	     "{'destination':'::ffff:0:f000:1/128','nextHop':'::','metric':256},"
	     "{'destination':'::2/128','nextHop':'::','metric':256},"
	     "{'destination':'::1/128','nextHop':'::','metric':256},"
	     "{'destination':'fe80::5efe:e000:1/128','nextHop':'::','metric':256},"
	     "{'destination':'fe80::200:5efe:0:1/128','nextHop':'::','metric':256},"
	     "{'destination':'fe80::5efe:c000:201/128','nextHop':'::','metric':256}"
	     "]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "2002:c000:201::/48", 291, "::", 0, 23, T1),
	       ROUTE("Add", "::1/128", 291, "::", 0, 23, T1),
	       ROUTE("Add", "::ffff:192.0.2.0/120", 291, "::", 0, 23, T1),
	       ROUTE("Add", "fe80::5efe:c000:201/128", 291, "::", 0, 23, T1));
}

/*
 * §5.5, §6.12: disableDefaultRoutes drops the default route of its family
 * only, and not the split-tunnel /1 routes (the host's bug is not copied).
 */
static void test_filter_disabled_default_routes(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'metric':0,'disableDefaultRoutes':true},"
	     "'ipv6':{'metric':0},"
	     "'addresses':[{'address':'10.8.0.5','prefixLength':32}],"
	     "'routes':["
	     "{'destination':'0.0.0.0/0','nextHop':'10.8.0.1'},"
	     "{'destination':'0.0.0.0/1','nextHop':'10.8.0.1'},"
	     "{'destination':'128.0.0.0/1','nextHop':'10.8.0.1'},"
	     "{'destination':'::/0','nextHop':'::'}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "10.8.0.1/32", 1, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "::/0", 1, "::", 0, 23, T1),
	       ROUTE("Add", "0.0.0.0/1", 1, "10.8.0.1", 0, 2, T1),
	       ROUTE("Add", "128.0.0.0/1", 1, "10.8.0.1", 0, 2, T1));
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'metric':0,'disableDefaultRoutes':true},"
	     "'ipv6':{'metric':0,'disableDefaultRoutes':true},"
	     "'addresses':[{'address':'10.8.0.5','prefixLength':32}],"
	     "'routes':["
	     "{'destination':'0.0.0.0/0','nextHop':'10.8.0.1'},"
	     "{'destination':'0.0.0.0/1','nextHop':'10.8.0.1'},"
	     "{'destination':'128.0.0.0/1','nextHop':'10.8.0.1'},"
	     "{'destination':'::/0','nextHop':'::'}]}]}");
	EXPECT("'Route'",
	       ROUTE("Remove", "::/0", 1, "::", 0, 23, T1),
	       ROUTE("Update", "10.8.0.1/32", 1, "0.0.0.0", 32, 2, T1),
	       ROUTE("Update", "0.0.0.0/1", 1, "10.8.0.1", 0, 2, T1),
	       ROUTE("Update", "128.0.0.0/1", 1, "10.8.0.1", 0, 2, T1));
}

/* ------------------------------------------------------------- metrics */

/* §5.5: route + interface metric of its family, at most 65535, 0 -> 1. */
static void test_metric(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'metric':1000},'ipv6':{'metric':0},"
	     "'routes':["
	     "{'destination':'10.0.0.0/8','metric':65000},"
	     "{'destination':'10.1.0.0/16','metric':4294967295},"
	     "{'destination':'10.2.0.0/16','metric':5},"
	     "{'destination':'10.3.0.0/16','metric':64536},"
	     "{'destination':'10.4.0.0/16','metric':64534},"
	     "{'destination':'fd00::/8','nextHop':'::','metric':0},"
	     "{'destination':'fd01::/16','nextHop':'::','metric':7}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "10.0.0.0/8", 65535, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "10.1.0.0/16", 65535, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "10.2.0.0/16", 1005, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "10.3.0.0/16", 65535, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "10.4.0.0/16", 65534, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "fd00::/8", 1, "::", 0, 23, T1),
	       ROUTE("Add", "fd01::/16", 7, "::", 0, 23, T1));
	/* A family the interface does not have adds 0. */
	step("{'interfaces':[{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':20},'routes':["
	     "{'destination':'fd02::/16','nextHop':'::','metric':0}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "fd02::/16", 1, "::", 0, 23, T2));
}

/* §5.5: the Interface message's MTU and metric. */
static void test_interface_mtu_metric(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'mtu':1500,'metric':35},"
	     "'ipv6':{'mtu':1280,'metric':25}}]}");
	EXPECT("'Interface'",
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':true,"
	       "'Metric':25,'NlMtu':1280}," T1 "}");
	/* An unknown (0) MTU does not count; neither known: ULONG_MAX. */
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'mtu':0,'metric':35},"
	     "'ipv6':{'mtu':1400,'metric':45}}]}");
	EXPECT("'Interface'",
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':true,"
	       "'Metric':35,'NlMtu':1400}," T1 "}");
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true}]}");
	EXPECT("'Interface'",
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':true,"
	       "'Metric':0,'NlMtu':4294967295}," T1 "}");
}

/* ------------------------------------------------------ on-link routes */

/* §5.5, §6.3: an on-link host route for every next hop, same metric. */
static void test_synthesized_onlink_routes(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0},'ipv6':{'metric':10},"
	     "'addresses':[{'address':'10.8.0.5','prefixLength':32}],"
	     "'routes':["
	     "{'destination':'10.0.0.0/8','nextHop':'10.8.0.1'},"
	     "{'destination':'172.16.0.0/12','nextHop':'10.8.0.1','metric':5},"
	     "{'destination':'2001:db8:99::/48','nextHop':'fe80::99',"
	     "'metric':1}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "10.8.0.1/32", 1, "0.0.0.0", 32, 2, T2),
	       ROUTE("Add", "10.8.0.1/32", 5, "0.0.0.0", 32, 2, T2),
	       ROUTE("Add", "fe80::99/128", 11, "::", 128, 23, T2),
	       ROUTE("Add", "10.0.0.0/8", 1, "10.8.0.1", 0, 2, T2),
	       ROUTE("Add", "172.16.0.0/12", 5, "10.8.0.1", 0, 2, T2),
	       ROUTE("Add", "2001:db8:99::/48", 11, "fe80::99", 0, 23, T2));
}

/* The host's own on-link route for a next hop is kept as it is. */
static void test_onlink_route_not_doubled(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0},"
	     "'routes':[{'destination':'10.8.0.1/32','metric':1},"
	     "{'destination':'10.0.0.0/8','nextHop':'10.8.0.1','metric':1}]}]}");
	EXPECT("'Route'",
	       ROUTE("Add", "10.8.0.1/32", 1, "0.0.0.0", 0, 2, T2),
	       ROUTE("Add", "10.0.0.0/8", 1, "10.8.0.1", 0, 2, T2));
}

/*
 * The host's duplicates are sent once: an address listed twice (the first
 * is kept), a route listed twice or equal once its metric is clamped, the
 * on-link route of a next hop that many routes go through. Listed in
 * another order, the same routes are no change.
 */
#define DUP_ADDRS "'addresses':[{'address':'10.8.0.5','prefixLength':24},"\
	"{'address':'10.8.0.5','prefixLength':24,'prefixOrigin':'manual'},"\
	"{'address':'10.8.0.5','prefixLength':32}],"
#define DUP_ADDR(len) "DeviceSettingRequest {'RequestType':'Add',"	\
	"'ResourceType':'IPAddress','Settings':{'Address':'10.8.0.5',"	\
	"'Family':2,'OnLinkPrefixLength':" #len ","			\
	"'PreferredLifetime':4294967295,'PrefixOrigin':0,"		\
	"'SuffixOrigin':0}," T2 "}"

static void test_duplicates_once(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0}," DUP_ADDRS "'routes':["
	     "{'destination':'10.0.0.10/32','metric':1},"
	     "{'destination':'10.1.0.0/16','nextHop':'10.8.0.1','metric':70000},"
	     "{'destination':'10.0.0.9/32','metric':1},"
	     "{'destination':'10.2.0.0/16','nextHop':'10.8.0.1','metric':1},"
	     "{'destination':'10.0.0.10/32','metric':1},"
	     "{'destination':'10.1.0.0/16','nextHop':'10.8.0.1','metric':65535},"
	     "{'destination':'10.8.0.0/24'},"
	     "{'destination':'10.3.0.0/16','nextHop':'10.8.0.1','metric':1}]}]}");
	EXPECT("'ResourceType':'IPAddress'", DUP_ADDR(24), DUP_ADDR(32));
	/* By destination text: 10.0.0.10 before 10.0.0.9. */
	EXPECT("'Route'",
	       ROUTE("Add", "10.8.0.0/24", 1, "0.0.0.0", 0, 2, T2),
	       ROUTE("Add", "10.0.0.10/32", 1, "0.0.0.0", 0, 2, T2),
	       ROUTE("Add", "10.0.0.9/32", 1, "0.0.0.0", 0, 2, T2),
	       ROUTE("Add", "10.8.0.1/32", 1, "0.0.0.0", 32, 2, T2),
	       ROUTE("Add", "10.8.0.1/32", 65535, "0.0.0.0", 32, 2, T2),
	       ROUTE("Add", "10.1.0.0/16", 65535, "10.8.0.1", 0, 2, T2),
	       ROUTE("Add", "10.2.0.0/16", 1, "10.8.0.1", 0, 2, T2),
	       ROUTE("Add", "10.3.0.0/16", 1, "10.8.0.1", 0, 2, T2));
	step("{'interfaces':[{'guid':'" G2 "','name':'eth1','connected':true,"
	     "'ipv4':{'metric':0}," DUP_ADDRS "'routes':["
	     "{'destination':'10.3.0.0/16','nextHop':'10.8.0.1','metric':1},"
	     "{'destination':'10.8.0.0/24'},"
	     "{'destination':'10.1.0.0/16','nextHop':'10.8.0.1','metric':65535},"
	     "{'destination':'10.2.0.0/16','nextHop':'10.8.0.1','metric':1},"
	     "{'destination':'10.0.0.9/32','metric':1},"
	     "{'destination':'10.0.0.10/32','metric':1}]}]}");
	EXPECT_NONE(NULL);
}

/* ------------------------------------------------------------ ordering */

/*
 * §5.3: address prefix routes, other on-link routes, gateway routes; in a
 * group by destination text, then metric. Addresses: IPv4 first, by value.
 */
static void test_ordering(void **state)
{
	(void)state;
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'metric':0},'ipv6':{'metric':0},'addresses':["
	     "{'address':'fd00::2','prefixLength':64},"
	     "{'address':'192.168.1.42','prefixLength':24},"
	     "{'address':'10.0.0.2','prefixLength':8}],'routes':["
	     "{'destination':'0.0.0.0/0','nextHop':'192.168.1.1','metric':2},"
	     "{'destination':'0.0.0.0/0','nextHop':'10.0.0.1','metric':1},"
	     "{'destination':'172.16.0.0/12','metric':9},"
	     "{'destination':'fd00::/64','nextHop':'::','metric':3},"
	     "{'destination':'192.168.1.0/24','metric':3},"
	     "{'destination':'10.0.0.0/8','metric':4},"
	     "{'destination':'100.64.0.0/10','metric':9},"
	     "{'destination':'100.64.0.0/10','metric':8}]}]}");
	EXPECT("'ResourceType':'IPAddress'",
	       "DeviceSettingRequest {'RequestType':'Add','ResourceType':"
	       "'IPAddress','Settings':{'Address':'10.0.0.2','Family':2,"
	       "'OnLinkPrefixLength':8,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':0,'SuffixOrigin':0}," T1 "}",
	       "DeviceSettingRequest {'RequestType':'Add','ResourceType':"
	       "'IPAddress','Settings':{'Address':'192.168.1.42','Family':2,"
	       "'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':0,'SuffixOrigin':0}," T1 "}",
	       "DeviceSettingRequest {'RequestType':'Add','ResourceType':"
	       "'IPAddress','Settings':{'Address':'fd00::2','Family':23,"
	       "'OnLinkPrefixLength':64,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':0,'SuffixOrigin':0}," T1 "}");
	EXPECT("'Route'",
	       ROUTE("Add", "10.0.0.0/8", 4, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.0/24", 3, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "fd00::/64", 3, "::", 0, 23, T1),
	       ROUTE("Add", "10.0.0.1/32", 1, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "100.64.0.0/10", 8, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "100.64.0.0/10", 9, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "172.16.0.0/12", 9, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.1/32", 2, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 1, "10.0.0.1", 0, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 2, "192.168.1.1", 0, 2, T1));
}

/* ---------------------------------------------------------------- diff */

/*
 * §5.3 steps 3 to 6: removals first (addresses, then routes), then the
 * new address as Add with the others re-sent as Update, then every route
 * refreshed because an address changed.
 */
static void test_diff_add_remove(void **state)
{
	(void)state;
	step(HOME);
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 ","
	     "{'address':'192.168.1.43','prefixLength':24}],"
	     "'routes':[{'destination':'192.168.1.0/24','metric':256},"
	     "{'destination':'10.9.0.0/16','nextHop':'192.168.1.254'}]}]}");
	EXPECT(NULL,
	       ROUTE("Remove", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Remove", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1),
	       ADDR4("Update"),
	       "DeviceSettingRequest {'RequestType':'Add','ResourceType':"
	       "'IPAddress','Settings':{'Address':'192.168.1.43','Family':2,"
	       "'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':0,'SuffixOrigin':0}," T1 "}",
	       ROUTE("Update", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.254/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "10.9.0.0/16", 35, "192.168.1.254", 0, 2, T1));
	/* Removing an address: Remove, then every route refreshed. */
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "],"
	     "'routes':[{'destination':'192.168.1.0/24','metric':256},"
	     "{'destination':'10.9.0.0/16','nextHop':'192.168.1.254'}]}]}");
	EXPECT(NULL,
	       "DeviceSettingRequest {'RequestType':'Remove','ResourceType':"
	       "'IPAddress','Settings':{'Address':'192.168.1.43','Family':2,"
	       "'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':0,'SuffixOrigin':0}," T1 "}",
	       ROUTE("Update", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Update", "192.168.1.254/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Update", "10.9.0.0/16", 35, "192.168.1.254", 0, 2, T1));
}

/* A new route alone is an Add; nothing else is re-sent. */
static void test_diff_route_only(void **state)
{
	(void)state;
	step(HOME);
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "],"
	     "'routes':[" ETH0_ROUTES ",{'destination':'10.0.0.0/8',"
	     "'metric':1}]}]}");
	EXPECT(NULL, ROUTE("Add", "10.0.0.0/8", 36, "0.0.0.0", 0, 2, T1));
}

/* A changed origin makes an address Update; a metric change is a new route. */
static void test_diff_changed_items(void **state)
{
	(void)state;
	step(HOME);
	step("{'interfaces':[" ETH0_HEAD "'addresses':[{'address':"
	     "'192.168.1.42','prefixLength':24,'prefixOrigin':'manual',"
	     "'suffixOrigin':'manual'}],'routes':["
	     "{'destination':'0.0.0.0/0','nextHop':'192.168.1.1','metric':5},"
	     "{'destination':'192.168.1.0/24','metric':256}]}]}");
	EXPECT(NULL,
	       ROUTE("Remove", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Remove", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1),
	       "DeviceSettingRequest {'RequestType':'Update','ResourceType':"
	       "'IPAddress','Settings':{'Address':'192.168.1.42','Family':2,"
	       "'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"
	       "'PrefixOrigin':1,'SuffixOrigin':1}," T1 "}",
	       ROUTE("Update", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.1/32", 40, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 40, "192.168.1.1", 0, 2, T1));
}

/* §5.3 step 2: after an interface update, everything is pushed again. */
static void test_repush_after_interface_update(void **state)
{
	(void)state;
	step(HOME);
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':true,"
	     "'ipv4':{'mtu':1400,'metric':35},'ipv6':{'mtu':1500,'metric':35},"
	     "'addresses':[" ETH0_ADDR4 "],'routes':[" ETH0_ROUTES "]}]}");
	EXPECT(NULL,
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':true,"
	       "'Metric':35,'NlMtu':1400}," T1 "}",
	       ADDR4("Update"),
	       ROUTE("Update", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Update", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Update", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
}

/* §5.5: disconnected, nothing is mirrored; reconnected, it all comes back. */
static void test_disconnect_reconnect(void **state)
{
	(void)state;
	step(HOME);
	step("{'interfaces':[{'guid':'" G1 "','name':'eth0','connected':false,"
	     "'ipv4':{'mtu':1500,'metric':35},'ipv6':{'mtu':1500,'metric':35},"
	     "'addresses':[" ETH0_ADDR4 "],'routes':[" ETH0_ROUTES "]}]}");
	EXPECT(NULL,
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':false,"
	       "'Metric':35,'NlMtu':1500}," T1 "}",
	       ADDR4("Remove"),
	       ROUTE("Remove", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Remove", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Remove", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
	step(HOME);
	EXPECT(NULL,
	       HOME_63,
	       ADDR4("Add"),
	       ROUTE("Add", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Add", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
}

/* §5.3 step 2, §6.10: hidden is Connected:false, every pass; all removed. */
static void test_hidden(void **state)
{
	struct mh_step_result r;
	static const char hidden[] = "{'interfaces':[{'guid':'" G1 "',"
		"'name':'eth0','connected':true,'hidden':true,"
		"'ipv4':{'mtu':1500,'metric':35},'ipv6':{'mtu':1500,'metric':35},"
		"'addresses':[" ETH0_ADDR4 "],'routes':[" ETH0_ROUTES "]}]}";

	(void)state;
	step(HOME);
	r = step(hidden);
	EXPECT(NULL,
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':false,"
	       "'Metric':35,'NlMtu':1500}," T1 "}",
	       ADDR4("Remove"),
	       ROUTE("Remove", "192.168.1.0/24", 291, "0.0.0.0", 0, 2, T1),
	       ROUTE("Remove", "192.168.1.1/32", 35, "0.0.0.0", 32, 2, T1),
	       ROUTE("Remove", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
	/* Hidden interfaces need no endpoint for the goal state either. */
	assert_true(r.goal_state);
	step(hidden);
	EXPECT(NULL,
	       "ModifyGuestDeviceSettingRequest {'RequestType':'Add',"
	       "'ResourceType':'Interface','Settings':{'Connected':false,"
	       "'Metric':35,'NlMtu':1500}," T1 "}");
}

/* §5.2 removal: SNAT rules removed, a NoOp barrier, no IP messages. */
static void test_endpoint_removal(void **state)
{
	(void)state;
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "]},"
	     "{'guid':'" GL "','name':'loopback0','gelnic':true,"
	     "'connected':true}]}");
	step("{'interfaces':[]}");
	EXPECT(NULL,
	       "InterfaceNetFilter {'ephemeralPortRangeEnd':0,"
	       "'ephemeralPortRangeStart':0,'operation':'Remove'," T1 "}",
	       "NoOp",
	       "NoOp");
	/* Back again: a new endpoint, InitialIpConfiguration again. */
	step(HOME);
	EXPECT("InitialIpConfiguration", HOME_68);
}

/* ------------------------------------------------------ host loopback */

/* §5.3 steps 3 and 5: LoopbackRoutes Create after, Remove before. */
static void test_host_address_loopback(void **state)
{
	(void)state;
	step("{'hostAddressLoopback':true,'interfaces':[" ETH0_HEAD
	     "'addresses':[" ETH0_ADDR4 "," ETH0_ADDR6 "]}]}");
	EXPECT("Loopback",
	       "LoopbackRoutesRequest {'family':2,'ipAddress':'192.168.1.42',"
	       "'operation':'Create'," T1 "}",
	       "LoopbackRoutesRequest {'family':23,'ipAddress':"
	       "'2001:db8:1:2:215:5dff:feaa:bbcc','operation':'Create'," T1 "}");
	assert_string_equal(rec.lines[rec.n - 4], ADDR4("Add"));
	assert_non_null(strstr(rec.lines[rec.n - 3], "'Create'"));
	step("{'hostAddressLoopback':true,'interfaces':[" ETH0_HEAD
	     "'addresses':[" ETH0_ADDR6 "]}]}");
	EXPECT(NULL,
	       "LoopbackRoutesRequest {'family':2,'ipAddress':'192.168.1.42',"
	       "'operation':'Remove'," T1 "}",
	       ADDR4("Remove"));
	/* Without the option: no LoopbackRoutes at all. */
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "]}]}");
	EXPECT_NONE("Loopback");
}

/* A failed add gets no LoopbackRoutes Create. */
static void test_loopback_needs_success(void **state)
{
	(void)state;
	rec.fail_match = "'ResourceType':'IPAddress'";
	rec.fail_times = 2;
	step("{'hostAddressLoopback':true,'interfaces':[" ETH0_HEAD
	     "'addresses':[" ETH0_ADDR4 "]}]}");
	EXPECT("'ResourceType':'IPAddress'", ADDR4("Add"), ADDR4("Update"), ADDR4("Add"));
	EXPECT("Loopback",
	       "LoopbackRoutesRequest {'family':2,'ipAddress':'192.168.1.42',"
	       "'operation':'Create'," T1 "}");
}

/* ----------------------------------------------------------------- DNS */

#define DNS_MSG(search, servers) "DeviceSettingRequest {'RequestType':"	\
	"'Update','ResourceType':'DNS','Settings':{'Domain':'',"	\
	"'Options':'# This file was automatically generated by WSL. To "	\
	"stop automatic generation of this file, add the following entry "\
	"to /etc/wsl.conf:\\n# [network]\\n# generateResolvConf = false"	\
	"\\n','Search':'" search "','ServerList':'" servers "'}," T1 "}"

/* §5.7: at most 3 servers, IPv4 first; suffixes joined; the banner. */
static void test_dns_content(void **state)
{
	(void)state;
	step("{'dns':{'servers':['fd00::53','192.168.1.1','fd00::54',"
	     "'10.0.0.53','10.0.0.54'],'suffixes':['corp.example.com',"
	     "'example.com']},'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT("'DNS'", DNS_MSG("corp.example.com,example.com",
				"192.168.1.1,10.0.0.53,10.0.0.54"));
	step("{'dns':{'servers':['fd00::53','192.168.1.1']},"
	     "'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT("'DNS'", DNS_MSG("", "192.168.1.1,fd00::53"));
}

/*
 * wsl-dns-tunneling §4.5: with tunneling on, the one server is the
 * tunneling address whatever the host's servers, the suffixes stay; the
 * host's servers changing changes nothing. Suffixes are de-duplicated
 * without regard to case, the first kept (GetAllDnsSuffixes).
 */
static void test_dns_tunneling(void **state)
{
	(void)state;
	assert_int_equal(mh_engine_dns_tunneling(eng, "10.255.255.254"), 0);
	step("{'dns':{'servers':['192.168.1.1','fd00::53'],'suffixes':["
	     "'corp.example.com','Corp.Example.COM','example.com']},"
	     "'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT("'DNS'", DNS_MSG("corp.example.com,example.com",
				"10.255.255.254"));
	step("{'dns':{'servers':['10.0.0.53'],'suffixes':["
	     "'corp.example.com','example.com']},"
	     "'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT_NONE("'DNS'");
	step("{'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT("'DNS'", DNS_MSG("", "10.255.255.254"));
	/* Off again: the host's servers. */
	assert_int_equal(mh_engine_dns_tunneling(eng, NULL), 0);
	step("{'dns':{'servers':['10.0.0.53']},"
	     "'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	EXPECT("'DNS'", DNS_MSG("", "10.0.0.53"));
}

/* §5.3 step 7: only when it changed, once, after the first endpoint. */
static void test_dns_on_change_once(void **state)
{
	static const char two[] = "{'dns':{'servers':['192.168.1.1']},"
		"'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "]},"
		"{'guid':'" G2 "','name':'eth1','connected':true}]}";

	(void)state;
	step(two);
	EXPECT("'DNS'", DNS_MSG("", "192.168.1.1"));
	/* After eth0's messages, before eth1's. */
	assert_string_equal(rec.lines[10], ADDR4("Add"));
	assert_non_null(strstr(rec.lines[11], "'DNS'"));
	assert_non_null(strstr(rec.lines[12], "InitialIpConfiguration"));
	step(two);
	EXPECT_NONE(NULL);
	/* DNS gone: an Update with no server. */
	step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4 "]},"
	     "{'guid':'" G2 "','name':'eth1','connected':true}]}");
	EXPECT(NULL, DNS_MSG("", ""));
}

/* ------------------------------------------------------------- retries */

/*
 * §5.4: an address the guest refuses: Add then Update in each pass, the
 * timer at 100 ms doubling to 2 s, given up after 15 tries in all. No
 * goal state after that deliberately differs from WSL, which signals it
 * (Documentation/host-engine.rst, "Where the engine differs").
 */
static void test_retry_give_up(void **state)
{
	static const unsigned int want_sleeps[] = {
		100, 200, 400, 800, 1600, 2000, 2000,
	};
	struct mh_step_result r;
	size_t i;

	(void)state;
	rec.fail_match = "'ResourceType':'IPAddress'";
	rec.fail_times = -1;
	r = step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4
		 "]}]}");
	EXPECT("'ResourceType':'IPAddress'",
	       ADDR4("Add"), ADDR4("Update"), ADDR4("Add"), ADDR4("Update"),
	       ADDR4("Add"), ADDR4("Update"), ADDR4("Add"), ADDR4("Update"),
	       ADDR4("Add"), ADDR4("Update"), ADDR4("Add"), ADDR4("Update"),
	       ADDR4("Add"), ADDR4("Update"), ADDR4("Add"));
	assert_int_equal(rec.n_sleeps, 7);
	for (i = 0; i < rec.n_sleeps; i++)
		assert_int_equal(rec.sleeps[i], want_sleeps[i]);
	assert_int_equal(r.passes, 8);
	assert_int_equal(r.failed, 15);
	assert_int_equal(r.gave_up, 1);
	assert_false(r.goal_state);
	/* Given up: the next step does not send it again. */
	r = step("{'interfaces':[" ETH0_HEAD "'addresses':[" ETH0_ADDR4
		 "]}]}");
	EXPECT_NONE(NULL);
	assert_false(r.goal_state);
}

/* §5.4: a refusal that clears: one retry pass, then the goal state. */
static void test_retry_then_goal(void **state)
{
	struct mh_step_result r;

	(void)state;
	rec.fail_match = "'0.0.0.0/0'";
	rec.fail_times = 2;
	r = step(HOME);
	EXPECT("'0.0.0.0/0'",
	       ROUTE("Add", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1),
	       ROUTE("Update", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1),
	       ROUTE("Add", "0.0.0.0/0", 35, "192.168.1.1", 0, 2, T1));
	assert_int_equal(rec.n_sleeps, 1);
	assert_int_equal(rec.sleeps[0], 100);
	assert_int_equal(r.passes, 2);
	assert_int_equal(r.failed, 2);
	assert_true(r.goal_state);
	/* The second pass sends only what was not synced. */
	assert_string_equal(rec.lines[rec.n - 1],
			    ROUTE("Add", "0.0.0.0/0", 35, "192.168.1.1", 0, 2,
				  T1));
	assert_string_equal(rec.lines[rec.n - 2],
			    ROUTE("Update", "0.0.0.0/0", 35, "192.168.1.1", 0,
				  2, T1));
}

/* A refused removal is retried too, then dropped after its tries. */
static void test_retry_removal(void **state)
{
	struct mh_step_result r;

	(void)state;
	step(HOME);
	rec.fail_match = "'Remove'";
	rec.fail_times = -1;
	r = step("{'interfaces':[" ETH0_HEAD "'addresses':[]}]}");
	/* 15 passes with one Remove of each item (no fallback). */
	assert_int_equal(r.passes, 15);
	assert_int_equal(r.failed, 4 * 15);
	assert_int_equal(r.gave_up, 4);
	assert_false(r.goal_state);
	assert_int_equal(rec.n_sleeps, 14);
	assert_int_equal(rec.sleeps[13], 2000);
}

/* ---------------------------------------------------------- goal state */

/* §5.2 step 7: an endpoint the guest refuses is tried 4 times, 1 s apart. */
static void test_endpoint_retries(void **state)
{
	struct mh_step_result r;

	(void)state;
	rec.fail_match = "InterfaceConfiguration";
	rec.fail_times = -1;
	r = step(HOME);
	EXPECT(NULL,
	       "SetupIpv6 {}",
	       "GlobalNetFilter",
	       "VmNicCreatedNotification {'adapterId':'" G1 "'}",
	       IFCONFIG_ETH0(""),
	       "VmNicCreatedNotification {'adapterId':'" G1 "'}",
	       IFCONFIG_ETH0(""),
	       "VmNicCreatedNotification {'adapterId':'" G1 "'}",
	       IFCONFIG_ETH0(""),
	       "VmNicCreatedNotification {'adapterId':'" G1 "'}",
	       IFCONFIG_ETH0(""));
	assert_int_equal(rec.n_sleeps, 3);
	assert_int_equal(rec.sleeps[0], 1000);
	assert_int_equal(rec.sleeps[2], 1000);
	assert_int_equal(r.endpoints_missing, 1);
	assert_false(r.goal_state);
}

/* A disconnected interface without an endpoint does not block the goal. */
static void test_goal_ignores_disconnected(void **state)
{
	struct mh_step_result r;

	(void)state;
	rec.fail_times = -1;
	rec.fail_match = "InterfaceConfiguration {'DNSServerList':'',"
			 "'GatewayAddress':'','ID':'" G2 "'";
	r = step("{'interfaces':[" ETH0_HEAD "'addresses':[]},"
		 "{'guid':'" G2 "','name':'eth1','connected':false}]}");
	assert_int_equal(r.endpoints_missing, 0);
	assert_true(r.goal_state);
	r = step("{'interfaces':[" ETH0_HEAD "'addresses':[]},"
		 "{'guid':'" G2 "','name':'eth1','connected':true}]}");
	assert_int_equal(r.endpoints_missing, 1);
	assert_false(r.goal_state);
}

/* ---------------------------------------------- what the helper accepts */

/* The kind a recorded line names before its first blank. */
static enum gns_kind recorded_kind(const char *line)
{
	size_t len = strcspn(line, " ");
	enum gns_kind k;

	for (k = 0; k < GNS_KIND_UNKNOWN; k++)
		if (strlen(gns_kind_name(k)) == len &&
		    !strncmp(line, gns_kind_name(k), len))
			break;
	return k;
}

/* Each recorded message decodes with the helper's decoder. */
static void assert_helper_decodes_all(void)
{
	char err[GNS_ERR_LEN];
	struct gns_msg m;
	size_t i;

	for (i = 0; i < rec.n; i++) {
		const char *line = rec.lines[i], *sp = strchr(line, ' ');
		enum gns_kind k = recorded_kind(line);
		char *text;

		assert_true(k < GNS_KIND_UNKNOWN);
		text = json_text(sp ? sp + 1 : "");
		if (gns_decode(k, text, strlen(text), NULL, &m, err))
			fail_msg("%s: %s", line, err);
		gns_msg_free(&m);
		free(text);
	}
}

/* Every message of a rich timeline decodes with the helper's decoder. */
static void test_helper_decodes_everything(void **state)
{
	(void)state;
	step("{'hostAddressLoopback':true,'dns':{'servers':['192.168.1.1',"
	     "'fd00::53'],'suffixes':['home.example']},'interfaces':["
	     ETH0_HEAD "'mac':'00:15:5d:aa:bb:cc','addresses':[" ETH0_ADDR4 ","
	     ETH0_ADDR6 ",{'address':'fe80::215:5dff:feaa:bbcc',"
	     "'prefixLength':64,'prefixOrigin':'wellknown',"
	     "'suffixOrigin':'linklayeraddress'}],'routes':[" ETH0_ROUTES ","
	     "{'destination':'::/0','nextHop':'fe80::1','metric':256}]},"
	     "{'guid':'" GL "','name':'loopback0','gelnic':true,"
	     "'connected':true}]}");
	assert_true(rec.n > 15);
	assert_helper_decodes_all();
	step("{'interfaces':[]}");
	assert_int_equal(rec.n, 3);
	assert_helper_decodes_all();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_startup_order),
		T(test_startup_once),
		T(test_gelnic),
		T(test_initial_first_per_interface),
		T(test_filter_own_address_routes),
		T(test_filter_non_preferred),
		T(test_filter_broadcast_multicast),
		T(test_filter_ipv6_embedded_ipv4),
		T(test_filter_disabled_default_routes),
		T(test_metric),
		T(test_interface_mtu_metric),
		T(test_synthesized_onlink_routes),
		T(test_onlink_route_not_doubled),
		T(test_duplicates_once),
		T(test_ordering),
		T(test_diff_add_remove),
		T(test_diff_route_only),
		T(test_diff_changed_items),
		T(test_repush_after_interface_update),
		T(test_disconnect_reconnect),
		T(test_hidden),
		T(test_endpoint_removal),
		T(test_host_address_loopback),
		T(test_loopback_needs_success),
		T(test_dns_content),
		T(test_dns_on_change_once),
		T(test_dns_tunneling),
		T(test_retry_give_up),
		T(test_retry_then_goal),
		T(test_retry_removal),
		T(test_endpoint_retries),
		T(test_goal_ignores_disconnected),
		T(test_helper_decodes_everything),
	};

	return cmocka_run_group_tests_name("host-engine", tests, NULL, NULL);
}
