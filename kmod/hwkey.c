// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware keys: the GUID that names a NIC on the host. Hyper-V hot-adds a
 * mirrored vmNIC as a VMBus device whose instance GUID is the host's
 * interface GUID; the netdev sits below it (netvsc) or below a PCI function
 * behind a VMBus PCI bridge (virtio over vPCI). Test rigs and other
 * hypervisors set the GUID as the interface alias instead. A virt_wifi
 * link, which the guest stacks on a NIC the host names wlanN, carries the
 * key of its NIC.
 */

#include <linux/device.h>
#include <kunit/visibility.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <net/rtnetlink.h>

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

/*
 * The NIC under a virt_wifi link. virt_wifi does not parent its netdev to
 * the NIC, so only the adjacency list knows it; the caller holds RTNL.
 */
static struct net_device *mn_wifi_lower_of(struct net_device *dev)
{
	struct list_head *iter = dev->adj_list.lower.next;

	if (!dev->rtnl_link_ops ||
	    strcmp(dev->rtnl_link_ops->kind, "virt_wifi"))
		return NULL;
	return netdev_lower_get_next(dev, &iter);
}

/**
 * mn_hwkey_of_netdev - the hardware key of a netdev
 * @dev: the netdev; RTNL held
 * @hwkey: its key, when it has one
 * @stacked: set when @dev is a virt_wifi link carrying its NIC's key
 *
 * The VMBus instance GUID in the parent chain wins over the alias.
 *
 * Return: true if @dev has a hardware key.
 */
bool mn_hwkey_of_netdev(struct net_device *dev, uuid_t *hwkey, bool *stacked)
{
	struct net_device *lower = mn_wifi_lower_of(dev);

	*stacked = lower;
	if (lower)
		dev = lower;
	return mn_hwkey_of_parents(dev, hwkey) || mn_hwkey_of_alias(dev, hwkey);
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_of_netdev);
