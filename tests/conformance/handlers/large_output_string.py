def handler(event, context):
    return b"a" * (257 * 1024)


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
