# prelude.py: the LeetCode prelude a suite can ask for (pyrun.h, `prelude`),
# exec'd in the candidate's namespace before its code, and in the checker's
# and the convert code's.
PRELUDE = '''\
from typing import *
import bisect, collections, functools, heapq, itertools, math, operator, random, re, string
from bisect import bisect, bisect_left, bisect_right, insort, insort_left, insort_right
from collections import Counter, OrderedDict, defaultdict, deque, namedtuple
from functools import cache, cmp_to_key, lru_cache, reduce
from heapq import heapify, heappop, heappush, heappushpop, heapreplace, nlargest, nsmallest
from itertools import (accumulate, chain, combinations, count, groupby, permutations,
                       product, zip_longest)
from math import ceil, comb, factorial, floor, gcd, inf, isqrt, log, log2, sqrt


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

    def __repr__(self):
        return "ListNode(%s)" % listnode_to_list(self, 50)


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self):
        return "TreeNode(%r)" % (self.val,)


def list_to_listnode(values):
    head = None
    for v in reversed(list(values)):
        head = ListNode(v, head)
    return head


def listnode_to_list(node, limit=10 ** 7):
    out = []
    while node is not None and len(out) < limit:
        out.append(node.val)
        node = node.next
    return out


def list_to_treenode(values):
    """LeetCode's level order, None for a missing child."""
    values = list(values)
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    level, i = deque([root]), 1
    while level and i < len(values):
        node = level.popleft()
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = TreeNode(values[i])
                setattr(node, side, child)
                level.append(child)
            i += 1
    return root


def treenode_to_list(root):
    out, level = [], deque([root])
    while level:
        node = level.popleft()
        if node is None:
            out.append(None)
            continue
        out.append(node.val)
        level.append(node.left)
        level.append(node.right)
    while out and out[-1] is None:
        out.pop()
    return out
'''
PRELUDE_FILENAME = "<jouletrace-prelude>"
