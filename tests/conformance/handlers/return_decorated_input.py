def handler(event, context):
    return "input-event-" + str(event)


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
