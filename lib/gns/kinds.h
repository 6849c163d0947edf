/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one list of GNS message kinds (wsl-gns-protocol §2.0, §1.9;
 * wsl-dns-tunneling §2.2). Adding a kind is a line here; every program
 * builds its tables from this list, and the helper's dispatch table fails
 * to compile until the kind has a decoder and a handler.
 *
 * X(id, name, number up to WSL 2.6.0, number since 2.6.1, payload)
 */
#ifndef MIRRORNET_GNS_KINDS_H
#define MIRRORNET_GNS_KINDS_H

/* What a frame carries after its header. */
enum gns_payload {
	GNS_PAYLOAD_TEXT,	/* UTF-8 text and one NUL */
	GNS_PAYLOAD_GUID_TEXT,	/* binary adapter GUID, then text and NUL */
	GNS_PAYLOAD_IGNORED,	/* anything: WSL's guest reads nothing */
	GNS_PAYLOAD_RESULT,	/* int32 result, optional text and NUL */
	GNS_PAYLOAD_DNS,	/* client identifier and DNS bytes (dns.h) */
};

#define GNS_KINDS(X)							\
	X(INTERFACE_CONFIGURATION, "InterfaceConfiguration", 52, 53,	\
	  GNS_PAYLOAD_TEXT)						\
	X(RESULT, "Result", 53, 54, GNS_PAYLOAD_RESULT)			\
	X(NOTIFICATION, "Notification", 54, 55, GNS_PAYLOAD_GUID_TEXT)	\
	X(VMNIC_CREATED, "VmNicCreatedNotification", 60, 61,		\
	  GNS_PAYLOAD_TEXT)						\
	X(CREATE_DEVICE, "CreateDeviceRequest", 61, 62, GNS_PAYLOAD_TEXT) \
	X(MODIFY_GUEST_DEVICE, "ModifyGuestDeviceSettingRequest", 62, 63, \
	  GNS_PAYLOAD_TEXT)						\
	X(LOOPBACK_ROUTES, "LoopbackRoutesRequest", 63, 64,		\
	  GNS_PAYLOAD_TEXT)						\
	X(DEVICE_SETTING, "DeviceSettingRequest", 64, 65, GNS_PAYLOAD_TEXT) \
	X(INITIAL_IP_CONFIGURATION, "InitialIpConfigurationNotification", \
	  67, 68, GNS_PAYLOAD_TEXT)					\
	X(SETUP_IPV6, "SetupIpv6", 68, 69, GNS_PAYLOAD_TEXT)		\
	X(DNS_TUNNELING, "DnsTunneling", 69, 70, GNS_PAYLOAD_DNS)	\
	X(NOOP, "NoOp", 70, 71, GNS_PAYLOAD_IGNORED)			\
	X(GLOBAL_NET_FILTER, "GlobalNetFilter", 71, 72,			\
	  GNS_PAYLOAD_IGNORED)						\
	X(INTERFACE_NET_FILTER, "InterfaceNetFilter", 72, 73,		\
	  GNS_PAYLOAD_TEXT)						\
	X(CONNECT_TEST, "ConnectTestRequest", 73, 74, GNS_PAYLOAD_TEXT)

#endif /* MIRRORNET_GNS_KINDS_H */
