// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware keys: the GUID that names a NIC on the host. Hyper-V hot-adds a
 * mirrored vmNIC as a VMBus device whose instance GUID is the host's
 * interface GUID; the netdev sits below it (netvsc) or below a PCI function
 * behind a VMBus PCI bridge (virtio over vPCI). Test rigs and other
 * hypervisors set the GUID as the interface alias instead.
 */

#include <linux/device.h>
#include <kunit/visibility.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "hwkey.h"

/**
 * mn_hwkey_parse - parse a GUID, braces optional, any case
 * @text: the text, not necessarily NUL-terminated
 * @len: its length
 * @hwkey: the GUID in RFC 4122 byte order
 *
 * Return: true if @text is exactly one GUID.
 */
bool mn_hwkey_parse(const char *text, size_t len, uuid_t *hwkey)
{
	char buf[UUID_STRING_LEN + 1];

	if (len == UUID_STRING_LEN + 2 && text[0] == '{' &&
	    text[len - 1] == '}') {
		text++;
		len -= 2;
	}
	if (len != UUID_STRING_LEN)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return !uuid_parse(buf, hwkey);
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_parse);

static bool mn_hwkey_of_parents(const struct net_device *dev, uuid_t *hwkey)
{
	const struct device *d;

	for (d = dev->dev.parent; d; d = d->parent) {
		const char *name = dev_name(d);

		if (d->bus && !strcmp(d->bus->name, "vmbus") &&
		    mn_hwkey_parse(name, strlen(name), hwkey))
			return true;
	}
	return false;
}

static bool mn_hwkey_of_alias(const struct net_device *dev, uuid_t *hwkey)
{
	const struct dev_ifalias *alias;
	bool found = false;

	rcu_read_lock();
	alias = rcu_dereference(dev->ifalias);
	if (alias)
		found = mn_hwkey_parse(alias->ifalias, strlen(alias->ifalias),
				       hwkey);
	rcu_read_unlock();
	return found;
}

/**
 * mn_hwkey_of_netdev - the hardware key of a netdev
 * @dev: the netdev
 * @hwkey: its key, when it has one
 *
 * The VMBus instance GUID in the parent chain wins over the alias.
 *
 * Return: true if @dev has a hardware key.
 */
bool mn_hwkey_of_netdev(const struct net_device *dev, uuid_t *hwkey)
{
	return mn_hwkey_of_parents(dev, hwkey) || mn_hwkey_of_alias(dev, hwkey);
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_of_netdev);
